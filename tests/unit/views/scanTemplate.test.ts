import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { scanTemplate } from "masonite/views";

/** A well-nested template: text lines and block tags, each tag on a line of its own, with the line each block opens on. */
type Node = { text: string } | { tag: "if" | "for" | "block" | "macro" | "filter"; children: Node[] };

const OPENERS = { if: "{% if x %}", for: "{% for x in xs %}", block: "{% block b %}", macro: "{% macro m() %}", filter: "{% filter upper %}" };

const text: fc.Arbitrary<Node> = fc.record({ text: fc.constantFrom<string>("<p>a</p>", "{{ a | upper }}", "{# note #}", "{% set y = 1 %}", "") });
const node: fc.Memo<Node> = fc.memo((depth) =>
  depth <= 1
    ? text
    : fc.oneof(text, fc.record({ tag: fc.constantFrom("if", "for", "block", "macro", "filter"), children: fc.array(node(depth - 1), { maxLength: 3 }) }) as fc.Arbitrary<Node>),
);

/** The template's lines, and for each block the line of its opening and of its end tag (1-based). */
function render(nodes: Node[], lines: string[] = [], blocks: { tag: string; open: number; end: number }[] = []) {
  for (const item of nodes) {
    if ("text" in item) {
      lines.push(item.text);
      continue;
    }
    lines.push(OPENERS[item.tag]);
    const open = lines.length;
    render(item.children, lines, blocks);
    lines.push(`{% end${item.tag} %}`);
    blocks.push({ tag: item.tag, open, end: lines.length });
  }
  return { lines, blocks };
}

test("a well-nested template scans clean; without one end tag, the block it closed (or an enclosing one of its kind) is reported at its opening line", () => {
  fc.assert(
    fc.property(fc.array(node(4), { minLength: 1, maxLength: 4 }), fc.nat(), (nodes, pick) => {
      const { lines, blocks } = render(nodes);
      assert.deepEqual(scanTemplate(lines.join("\n")), {});
      if (blocks.length === 0) return;
      const dropped = blocks[pick % blocks.length]!;
      const broken = lines.filter((_line, index) => index !== dropped.end - 1).join("\n");
      const scan = scanTemplate(broken);
      // Inside a block of the same kind, the end tag that is left closes the inner one as far as
      // any reader can tell (the parser too): then the outer one is the unclosed one.
      const candidates = blocks.filter((block) => block.tag === dropped.tag && block.open <= dropped.open && block.end >= dropped.end).map((block) => block.open);
      assert.ok(scan.unclosed && candidates.includes(scan.unclosed.line), `${broken}\n-> ${JSON.stringify(scan)}, expected one of lines ${candidates}`);
      assert.equal(scan.unclosed.name, dropped.tag);
    }),
    { numRuns: 300 },
  );
});
