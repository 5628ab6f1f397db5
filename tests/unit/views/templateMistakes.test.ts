import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import type { HttpContext } from "masonite/request";
import { TemplateMistake, ViewFactory } from "masonite/views";

const dir = mkdtempSync(path.join(tmpdir(), "template-mistakes-"));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(path.join(dir, "base.html"), "<html>\n<body>\n{% block content %}{% endblock %}\n</body>\n</html>\n");
writeFileSync(path.join(dir, "partial.html"), "<p>partial</p>\n<p>{{ 1 | nosuchfilter }}</p>\n");

/** A common mistake, the template it is in, and where it must be reported. */
interface Mistake {
  title: string;
  source: string;
  code: string;
  /** The line of the mistake itself (for an unclosed block: the line that opened it). */
  line: number;
  /** The file reported, when not the template rendered. */
  file?: string;
  message: RegExp;
}

const CHILD = '{% extends "base.html" %}\n{% block content %}\n';
const MISTAKES: Mistake[] = [
  { title: "an unclosed if inside a block", source: `${CHILD}<p>a</p>\n<p>b</p>\n{% if user %}\n<p>hi</p>\n{% endblock %}\n`, code: "E_TEMPLATE_SYNTAX", line: 5, message: /\{% if %\} opened on line 5 is not closed, and \{% endblock %\} on line 7 came first: add \{% endif %\} where its if ends\.$/ },
  { title: "a filter typo", source: `{% extends "base.html" %}\n\n{% block content %}\n<p>a</p>\n{{ user | nosuchfilter }}\n{% endblock %}\n`, code: "E_TEMPLATE_ERROR", line: 5, message: /there is no filter "nosuchfilter": check its spelling/ },
  { title: "an unclosed for at the end of the file", source: "a\n{% for x in xs %}\n{{ x }}\n", code: "E_TEMPLATE_SYNTAX", line: 2, message: /\{% for %\} opened on line 2 is not closed by the end of the file: add \{% endfor %\}/ },
  { title: "an unclosed block", source: "a\n{% block x %}\nb\n", code: "E_TEMPLATE_SYNTAX", line: 2, message: /add \{% endblock %\}/ },
  { title: "an end tag of the wrong kind", source: "a\n{% if x %}\n{% endfor %}\n", code: "E_TEMPLATE_SYNTAX", line: 2, message: /\{% if %\} opened on line 2 is not closed, and \{% endfor %\} on line 3 came first/ },
  { title: "an end tag that closes nothing", source: "a\nb\n{% endif %}\n", code: "E_TEMPLATE_SYNTAX", line: 3, message: /\{% endif %\} closes no open block: remove it, or add the \{% if %\} it closes\.$/ },
  { title: "a misspelt tag", source: "a\nb\n{% iff user %}{% endif %}\n", code: "E_TEMPLATE_SYNTAX", line: 3, message: /\{% iff %\} is not a Nunjucks tag: check its spelling \(tags: if, / },
  { title: "an unclosed {{", source: "a\n{{ user.name \nc\n", code: "E_TEMPLATE_SYNTAX", line: 2, message: /\{\{ is not closed: end it with \}\}\.$/ },
  { title: "an unclosed string", source: 'a\n\n{{ "abc }}\n', code: "E_TEMPLATE_SYNTAX", line: 3, message: /a string inside \{\{ \}\} has no closing quote/ },
  { title: "an unclosed comment", source: "a\n{# note\nb\n", code: "E_TEMPLATE_SYNTAX", line: 2, message: /\{# is not closed: end it with #\}/ },
  { title: "an expression missing an operand", source: "a\n{{ 1 + }}\n", code: "E_TEMPLATE_SYNTAX", line: 2, message: /unexpected token: \}\}: fix the expression on that line/ },
  { title: "a call of something undefined", source: "a\n\n{{ nope() }}\n", code: "E_TEMPLATE_ERROR", line: 3, message: /Unable to call `nope`, which is undefined or falsey: check the spelling of nope/ },
  { title: "an include of a missing template", source: 'a\n{% include "nope.html" %}\n', code: "E_TEMPLATE_NOT_FOUND", line: 2, message: /the template nope\.html it names is in none of the template folders: create it there, or fix the name in that tag\.$/ },
  { title: "extends of a missing layout", source: '{% extends "layout.html" %}\n', code: "E_TEMPLATE_NOT_FOUND", line: 1, message: /the template layout\.html it names/ },
  { title: "a mistake inside an include", source: 'a\n{% include "partial.html" %}\n', code: "E_TEMPLATE_ERROR", line: 2, file: "partial.html", message: /there is no filter "nosuchfilter"/ },
];

const views = new ViewFactory({ templates: [dir], watch: true });

describe("a template mistake is reported with a code, at the file and line of the mistake itself, with a fix", () => {
  MISTAKES.forEach((mistake, index) => {
    test(mistake.title, () => {
      const name = `mistake-${index}`;
      writeFileSync(path.join(dir, `${name}.html`), mistake.source);
      assert.throws(() => views.render(name, {}, {} as HttpContext), (error: unknown) => {
        assert.ok(error instanceof TemplateMistake, String(error));
        const file = path.join(dir, mistake.file ?? `${name}.html`);
        assert.equal(error.code, mistake.code, error.message);
        assert.equal(error.line, mistake.line, error.message);
        assert.ok(error.message.startsWith(`Template ${file} line ${mistake.line}`), error.message);
        assert.match(error.message, mistake.message);
        assert.match(error.message, /[^.]\.$/, "one period at the end");
        assert.ok(error.excerpt.some((row) => row.line === mistake.line), "the excerpt holds the line");
        return true;
      });
    });
  });
});
