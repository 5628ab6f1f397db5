import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import ts from "typescript";

const STRICT = path.resolve(__dirname, "..", "..", "types", "strict");

/** tsc's words for `source`, compiled beside tests/types/strict/session.ts (strict session types on). */
function diagnostics(source: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(STRICT, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const probe = path.join(STRICT, "__probe__.ts");
  const host = ts.createCompilerHost(config.options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, ...rest) => (path.resolve(file) === probe ? ts.createSourceFile(file, source, language) : read(file, language, ...rest));
  host.fileExists = ((exists) => (file: string) => path.resolve(file) === probe || exists(file))(host.fileExists.bind(host));
  const program = ts.createProgram({ rootNames: [path.join(STRICT, "session.ts"), probe], options: { ...config.options, noEmit: true }, host });
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(probe)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

test("with strict session types, an undeclared key's compile error says to declare it in SessionData", { timeout: 120_000 }, () => {
  const messages = diagnostics('import { Session } from "masonite/sessions";\ndeclare const session: Session;\nsession.set("nope", 1);\nsession.has("nope");\n');
  assert.equal(messages.length, 2, messages.join("\n---\n"));
  for (const message of messages) {
    assert.match(message, /DeclareInSessionData</);
    assert.match(message, /declare this key in interface SessionData \(declare module \\"masonite\/sessions\\", in app\/types\/session\.ts\)/);
    assert.doesNotMatch(message, /type 'never'/);
  }
});
