import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * A TypeScript code block of a documentation page, as the type check sees it: where it is, the
 * file it stands for inside its project (the path its first line names, such as
 * `// app/controllers/PostController.ts`, or a file of its own), and the project it shares
 * declarations with (the page, unless its info string says `project=<name>`).
 */
export interface DocBlock {
  page: string;
  /** 1-based line of the block's first code line in the page. */
  line: number;
  code: string;
  file: string;
  project: string;
}

export interface PageBlocks {
  checked: DocBlock[];
  /** Blocks marked as deliberately partial: ```ts partial, or `<!-- not type-checked: reason -->` just before. */
  partial: { page: string; line: number }[];
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)(.*)$/;
const TYPESCRIPT = new Set(["ts", "typescript"]);
const NOT_CHECKED = /^<!--\s*not type-checked:\s*\S.*-->$/;
/** A first line naming the app file the block is: `// app/controllers/PostController.ts` (a comment may follow). */
const NAMED_FILE = /^\/\/\s*((?:app|config|routes|tests)\/[\w./-]+\.ts)\b/;

/** README.md and every docs/*.md of the repository, as paths relative to it. */
export function documentationPages(root: string): string[] {
  const docs = readdirSync(path.join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...docs];
}

/** The TypeScript blocks of one page; `page` is its path relative to the repository, used in messages. */
export function extractBlocks(page: string, markdown: string): PageBlocks {
  const lines = markdown.split("\n");
  const checked: DocBlock[] = [];
  const partial: PageBlocks["partial"] = [];
  /** The page's path as a name (docs/README.md and README.md are two projects). */
  const pageName = page.replace(/\.md$/, "").replace(/\W+/g, "-").toLowerCase();
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE.exec(lines[index]!);
    if (!open) continue;
    const [, indent, fence, language, info] = open as unknown as [string, string, string, string, string];
    const body: string[] = [];
    let end = index + 1;
    for (; end < lines.length; end++) {
      const line = lines[end]!;
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, "") === "") break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    const startLine = index + 2;
    index = end;
    if (!TYPESCRIPT.has(language)) continue;
    const words = info.trim().split(/\s+/).filter(Boolean);
    const previous = lines.slice(0, startLine - 2).reverse().find((line) => line.trim() !== "") ?? "";
    if (words.includes("partial") || NOT_CHECKED.test(previous.trim())) {
      partial.push({ page, line: startLine });
      continue;
    }
    const project = words.find((word) => word.startsWith("project="))?.slice("project=".length) || pageName;
    const named = NAMED_FILE.exec(body[0] ?? "");
    checked.push({ page, line: startLine, code: body.join("\n"), file: named ? named[1]! : `block-${pageName}-${startLine}.ts`, project });
  }
  return { checked, partial };
}

/** Every page's blocks, read from the repository at `root`. */
export function repositoryBlocks(root: string): PageBlocks {
  const all: PageBlocks = { checked: [], partial: [] };
  for (const page of documentationPages(root)) {
    const { checked, partial } = extractBlocks(page, readFileSync(path.join(root, page), "utf8"));
    all.checked.push(...checked);
    all.partial.push(...partial);
  }
  return all;
}
