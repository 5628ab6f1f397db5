/*
 * A template mistake as the developer needs it: a code, the line of the mistake itself and a
 * one-line fix. Nunjucks's parser reports an unclosed block where it noticed (the `endblock`
 * that met an open `if`, or the end of the file), a filter typo at the last position it
 * tracked, and a missing include with no line at all; each is found again in the source here.
 */

/** What Nunjucks said, and where, before it is explained. */
export interface ReportedMistake {
  message: string;
  /** 1-based; absent where Nunjucks tracked no position. */
  line?: number;
  column?: number;
}

export interface ExplainedMistake {
  code: "E_TEMPLATE_SYNTAX" | "E_TEMPLATE_NOT_FOUND" | "E_TEMPLATE_ERROR";
  line?: number;
  column?: number;
  /** What is wrong, without a closing period. */
  problem: string;
  /** What to do, one sentence without its period. */
  fix: string;
}

/** Tags that need their `end` tag (`set` only in its block form, without `=`). */
const BLOCK_TAGS = new Set(["if", "for", "asyncEach", "asyncAll", "block", "macro", "call", "filter", "raw", "verbatim", "set"]);
const KNOWN_TAGS = ["if", "elif", "elseif", "else", "for", "set", "block", "extends", "include", "import", "from", "macro", "call", "filter", "raw", "verbatim"];

interface OpenTag { name: string; line: number }

/** Where the source's tags and delimiters go wrong, found by reading it the way the lexer does. */
interface SourceScan {
  /** The block tag left open: at the `end` tag that met it, or at the end of the file. */
  unclosed?: OpenTag & { closedBy?: OpenTag };
  /** An `end` tag with no open block of its kind. */
  stray?: OpenTag;
  /** The first `{{`, `{%` or `{#` with no closing delimiter before the next one opens. */
  unterminated?: { open: string; line: number; column: number; string?: boolean };
}

const CLOSERS: Record<string, string> = { "{{": "}}", "{%": "%}", "{#": "#}" };

function lineAt(source: string, index: number): number {
  let line = 1;
  for (let i = source.indexOf("\n"); i !== -1 && i < index; i = source.indexOf("\n", i + 1)) line++;
  return line;
}

function columnAt(source: string, index: number): number {
  return index - source.lastIndexOf("\n", index - 1);
}

export function scanTemplate(source: string): SourceScan {
  const open: OpenTag[] = [];
  const scan: SourceScan = {};
  const opener = /\{\{|\{%|\{#/g;
  let match: RegExpExecArray | null;
  while ((match = opener.exec(source))) {
    const start = match.index;
    const closer = CLOSERS[match[0]]!;
    const end = source.indexOf(closer, start + 2);
    opener.lastIndex = start + 2;
    const next = source.slice(start + 2).search(/\{\{|\{%|\{#/);
    // A comment may hold anything but its end; a tag or a print ends before the next one begins.
    if (end === -1 || (match[0] !== "{#" && next !== -1 && start + 2 + next < end)) {
      scan.unterminated ??= { open: match[0], line: lineAt(source, start), column: columnAt(source, start) };
      if (end === -1) break;
      continue;
    }
    opener.lastIndex = end + 2;
    if (match[0] === "{#") continue;
    const body = source.slice(start + 2, end).replace(/^-/, "").replace(/-$/, "").trim();
    // An odd quote: the string runs on past the closing delimiter, which the lexer then misses.
    if (/^(?:[^"'\\]|\\.|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')*["']/.test(body)) {
      scan.unterminated ??= { open: match[0], line: lineAt(source, start), column: columnAt(source, start), string: true };
    }
    if (match[0] !== "{%") continue;
    const name = /^[A-Za-z_]\w*/.exec(body)?.[0] ?? "";
    const line = lineAt(source, start);
    if (name === "raw" || name === "verbatim") {
      // Nothing inside is a tag, up to its end tag.
      const closing = new RegExp(`\\{%-?\\s*end${name}\\s*-?%\\}`, "g");
      closing.lastIndex = end + 2;
      const found = closing.exec(source);
      if (!found) {
        scan.unclosed ??= { name, line };
        break;
      }
      opener.lastIndex = found.index + found[0].length;
      continue;
    }
    if (BLOCK_TAGS.has(name) && !(name === "set" && body.includes("="))) open.push({ name, line });
    else if (name.startsWith("end") && BLOCK_TAGS.has(name.slice(3))) {
      const top = open[open.length - 1];
      if (top?.name === name.slice(3)) open.pop();
      else if (top) {
        scan.unclosed ??= { ...top, closedBy: { name, line } };
        // Read on as if the open tag had been closed here: the rest is likely right.
        open.pop();
        if (open[open.length - 1]?.name === name.slice(3)) open.pop();
      } else scan.stray ??= { name, line };
    }
  }
  if (!scan.unclosed && open.length) scan.unclosed = open[open.length - 1]!;
  return scan;
}

/** The first line of `source` that matches `pattern`, 1-based. */
function findLine(source: string, pattern: RegExp): number | undefined {
  const index = source.split("\n").findIndex((text) => pattern.test(text));
  return index === -1 ? undefined : index + 1;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Nunjucks's report, explained against the template's source. */
export function explainMistake(reported: ReportedMistake, source: string | undefined): ExplainedMistake {
  const message = reported.message.replace(/\.$/, "");
  const at = { line: reported.line, column: reported.column };
  const scan = source === undefined ? {} : scanTemplate(source);
  const syntax = (problem: string, fix: string, where: { line?: number; column?: number } = at): ExplainedMistake => ({ code: "E_TEMPLATE_SYNTAX", ...where, problem, fix });

  const unclosedBlock = /^unknown block tag: end\w+|^parseBlock: expected end\w+|^unexpected end of file|^expected end\w*/.test(message);
  if (unclosedBlock && scan.unclosed) {
    const { name, line, closedBy } = scan.unclosed;
    const where = closedBy ? `, and {% ${closedBy.name} %} on line ${closedBy.line} came first` : " by the end of the file";
    return syntax(`{% ${name} %} opened on line ${line} is not closed${where}`, `add {% end${name} %} where its ${name} ends`, { line });
  }
  const endTag = /^unknown block tag: (end\w+)/.exec(message);
  if (endTag) return syntax(`{% ${endTag[1]} %} closes no open block`, `remove it, or add the {% ${endTag[1]!.slice(3)} %} it closes`, scan.stray ? { line: scan.stray.line } : at);
  const tag = /^unknown block tag: (\w+)/.exec(message);
  if (tag) return syntax(`{% ${tag[1]} %} is not a Nunjucks tag`, `check its spelling (tags: ${KNOWN_TAGS.join(", ")})`);
  const unterminated = /^expected (variable|block) end|^expected end of comment/.exec(message);
  if (unterminated && scan.unterminated) {
    const { open, line, column, string } = scan.unterminated;
    if (string) return syntax(`a string inside ${open} ${CLOSERS[open]} has no closing quote`, "add the quote that ends it", { line, column });
    return syntax(`${open} is not closed`, `end it with ${CLOSERS[open]}`, { line, column });
  }
  if (/^unexpected (token|end)|^expected |^invalid |^parse/.test(message)) return syntax(message, "fix the expression on that line (a missing operand, bracket or quote)");

  const filter = /^filter not found: (\w+)/.exec(message);
  if (filter) {
    const line = source === undefined ? undefined : findLine(source, new RegExp(`\\|\\s*${escapeRegExp(filter[1]!)}\\b`));
    return { code: "E_TEMPLATE_ERROR", line: line ?? at.line, column: line ? undefined : at.column, problem: `there is no filter "${filter[1]}"`, fix: "check its spelling against Nunjucks's built-in filters, or add it with app.views.environment.addFilter()" };
  }
  const missing = /^template not found: (.+)$/.exec(message);
  if (missing) {
    const line = source === undefined ? undefined : findLine(source, new RegExp(`["']${escapeRegExp(missing[1]!)}["']`));
    return { code: "E_TEMPLATE_NOT_FOUND", line: line ?? at.line, problem: `the template ${missing[1]} it names is in none of the template folders`, fix: "create it there, or fix the name in that tag" };
  }
  const call = /^Unable to call `([^`]+)`/.exec(message);
  if (call) return { code: "E_TEMPLATE_ERROR", ...at, problem: message, fix: `check the spelling of ${call[1]}, or pass it in the view's context (or app.views.share() it)` };
  return { code: "E_TEMPLATE_ERROR", ...at, problem: message, fix: at.line ? "fix that line" : "fix the template" };
}

/** The lines around `line`, numbered, for the development error page. */
export function excerpt(source: string, line: number, around = 3): { line: number; text: string }[] {
  const lines = source.split("\n");
  const first = Math.max(1, line - around);
  const last = Math.min(lines.length, line + around);
  return lines.slice(first - 1, last).map((text, index) => ({ line: first + index, text }));
}
