import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import ts from "typescript";
import { createCraft, makeTest } from "masonite/commands";
import { planMethod } from "masonite/container";
import { environment, sentence } from "masonite/core";
import { Application } from "masonite/foundation";
import { InputLimits } from "masonite/request";
import { Route, RouteTable } from "masonite/routes";
import { parseKey } from "masonite/security";
import { redisNodes, SessionConflict, SessionStoreUnavailable } from "masonite/sessions";

/**
 * Every error message the framework and the skeleton write ends with exactly one period: not
 * none, not "..", not ". ", not "?." and not after a code block. A message ending in a quoted
 * value or a path still gets its period after it.
 */
function endsWithOnePeriod(message: string): boolean {
  return /[^.?!\s]\.$/.test(message) && !/```\.$/.test(message);
}

describe("endsWithOnePeriod, the rule", () => {
  test("accepts one period, also after a quote or a path; refuses everything else", () => {
    for (const good of ["Fix it.", 'No route is named "home".', "cannot create /tmp/app: permission denied.", "Run `craft key`."]) assert.ok(endsWithOnePeriod(good), good);
    for (const bad of ["Fix it", "Fix it..", "Fix it. .", "Is npm on the PATH?", "Is npm on the PATH?.", "Fix it.\n", "Fix it. ", "```\ncode\n```."]) assert.ok(!endsWithOnePeriod(bad), bad);
  });
});

describe("sentence() closes a message that ends in someone else's text", () => {
  test("one period, whatever the text ended with", () => {
    for (const text of ["Connection refused", "Connection refused.", "Connection refused..", "Connection refused. \n"]) assert.equal(sentence(text), "Connection refused.");
  });
});

const ROOT = path.resolve(__dirname, "..", "..", "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

const FILES = ["framework/src", "app", "config", "routes"].flatMap((dir) => sourceFiles(path.join(ROOT, dir)));

/** Built-in and commander errors take the message first; the framework's coded ones take it after the code. */
const MESSAGE_FIRST = new Set(["Error", "TypeError", "RangeError", "InvalidArgumentError"]);
const CODED = new Set(["FrameworkError", "ConfigurationError", "CommandError"]);

/** Message endings this scan cannot read, and why each still ends with one period. */
const READ_ELSEWHERE: Record<string, string> = {
  "limit.advice": "a session store's size advice: every `advice:` is checked like a message",
  "this.sizeLimit.advice": "the same advice",
  "error.message": "inRoute(): a ConfigurationError's message, checked where it is made, with the route in front",
  "String(error)": "the exception page: a thrown non-Error, shown as it was thrown",
};

interface Offence {
  where: string;
  ending: string;
}

/** Why `expression`, a message, might not end with one period; [] when it surely does. */
function offences(expression: ts.Expression, source: ts.SourceFile, calls: Map<string, ts.CallExpression[]>): Offence[] {
  const where = () => `${path.relative(ROOT, source.fileName)}:${source.getLineAndCharacterOfPosition(expression.getStart(source)).line + 1}`;
  const check = (text: string): Offence[] => (endsWithOnePeriod(`x${text}`) && text.endsWith(".") ? [] : [{ where: where(), ending: text.slice(-40) }]);
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return check(expression.text);
  if (ts.isParenthesizedExpression(expression)) return offences(expression.expression, source, calls);
  if (ts.isConditionalExpression(expression)) return [...offences(expression.whenTrue, source, calls), ...offences(expression.whenFalse, source, calls)];
  if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.PlusToken) return offences(expression.right, source, calls);
  if (ts.isTemplateExpression(expression)) {
    const last = expression.templateSpans.at(-1)!;
    if (last.literal.text) return check(last.literal.text);
    return offences(last.expression, source, calls);
  }
  if (ts.isCallExpression(expression) && expression.expression.getText(source) === "sentence") return [];
  if (READ_ELSEWHERE[expression.getText(source)]) return [];
  if (ts.isIdentifier(expression)) {
    // An error class handing its constructor's message to super(): its constructions are checked.
    const constructor = enclosingConstructor(expression);
    if (constructor?.parameters.some((parameter) => parameter.name.getText(source) === expression.text)) return [];
    // A parameter of a helper (`notFound(message)`): what its callers pass is the message.
    const fn = enclosingFunction(expression);
    const index = fn?.parameters.findIndex((parameter) => parameter.name.getText(source) === expression.text) ?? -1;
    if (fn?.name && index >= 0) {
      const callers = calls.get(fn.name.getText(source)) ?? [];
      if (callers.length) return callers.flatMap((call) => (call.arguments[index] ? offences(call.arguments[index]!, source, calls) : []));
    }
  }
  return [{ where: where(), ending: `an expression this test cannot read: ${expression.getText(source).slice(0, 60)}` }];
}

function enclosingConstructor(node: ts.Node): ts.ConstructorDeclaration | undefined {
  for (let at = node.parent; at; at = at.parent) if (ts.isConstructorDeclaration(at)) return at;
  return undefined;
}

function enclosingFunction(node: ts.Node): ts.FunctionDeclaration | undefined {
  for (let at = node.parent; at; at = at.parent) if (ts.isFunctionDeclaration(at)) return at;
  return undefined;
}

/**
 * Every error class declared in `files`, by where its message goes: a subclass without a
 * constructor takes its base's arguments ("first" or "coded"); one with a constructor hands
 * the message to super(), which is checked there ("super").
 */
function errorClassesIn(files: string[]): Map<string, "first" | "coded" | "super"> {
  const declared = new Map<string, { base: string; ownConstructor: boolean }>();
  for (const file of files) {
    const visit = (node: ts.Node) => {
      const base = ts.isClassDeclaration(node) && node.name ? node.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression.getText() : undefined;
      if (base) declared.set((node as ts.ClassDeclaration).name!.text, { base, ownConstructor: (node as ts.ClassDeclaration).members.some(ts.isConstructorDeclaration) });
      ts.forEachChild(node, visit);
    };
    visit(ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true));
  }
  const kinds = new Map<string, "first" | "coded" | "super">([...[...MESSAGE_FIRST].map((name) => [name, "first"] as const), ...[...CODED].map((name) => [name, "coded"] as const)]);
  const kindOf = (name: string, seen: string[] = []): "first" | "coded" | "super" | undefined => {
    if (kinds.has(name)) return kinds.get(name);
    const own = declared.get(name);
    if (!own || seen.includes(name)) return undefined;
    const base = kindOf(own.base, [...seen, name]);
    return base && (own.ownConstructor ? "super" : base);
  };
  for (const name of declared.keys()) {
    const kind = kindOf(name);
    if (kind) kinds.set(name, kind);
  }
  return kinds;
}

/** The message argument of an error construction, or undefined when this is not one. */
function messageOf(node: ts.Node, source: ts.SourceFile, errorClasses: Map<string, "first" | "coded" | "super">): ts.Expression | undefined {
  let callee: string | undefined;
  let args: readonly ts.Expression[] | undefined;
  if (ts.isNewExpression(node)) {
    callee = node.expression.getText(source);
    args = node.arguments;
  } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword) {
    const owner = node.parent && findClass(node);
    const base = owner?.heritageClauses?.[0]?.types[0]?.expression.getText(source);
    if (!base || !errorClasses.has(base)) return undefined;
    callee = base;
    args = node.arguments;
  } else if (ts.isCallExpression(node) && /\.throw$/.test(node.expression.getText(source))) {
    // ctx.throw(status, message): the message is the page's.
    return node.arguments[1];
  }
  if (!callee || !args?.length) return undefined;
  const kind = errorClasses.get(callee);
  if (kind === "first") return args[0];
  if (kind === "coded") return args[1];
  return undefined; // not an error, or a subclass whose super() call holds the message
}

function findClass(node: ts.Node): ts.ClassDeclaration | undefined {
  for (let at = node.parent; at; at = at.parent) if (ts.isClassDeclaration(at)) return at;
  return undefined;
}

describe("every error message in framework/src, app/, config/ and routes/ ends with one period", () => {
  test("the constructions say so in their source", () => {
    const errorClasses = errorClassesIn(FILES);
    assert.equal(errorClasses.get("NoAnswer"), "first", "a private Error subclass without a constructor is read like Error");
    assert.equal(errorClasses.get("SessionConflict"), "super", "a subclass with a constructor is read at its super() call");
    const found: Offence[] = [];
    let checked = 0;
    for (const file of FILES) {
      const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
      const calls = new Map<string, ts.CallExpression[]>();
      const constructions: ts.Expression[] = [];
      const visit = (node: ts.Node) => {
        if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) calls.set(node.expression.text, [...(calls.get(node.expression.text) ?? []), node]);
        const message = messageOf(node, source, errorClasses);
        if (message) constructions.push(message);
        // A session store's size advice ends the "session too large" messages.
        if (ts.isPropertyAssignment(node) && node.name.getText(source) === "advice") constructions.push(node.initializer);
        ts.forEachChild(node, visit);
      };
      visit(source);
      for (const message of constructions) {
        checked++;
        found.push(...offences(message, source, calls));
      }
    }
    assert.ok(checked > 80, `only ${checked} error messages were found: the scan has lost them`);
    assert.deepEqual(found, [], `messages that do not end with one period:\n${found.map((o) => `  ${o.where}: ...${o.ending}`).join("\n")}`);
  });

  /** Real errors from each folder, with the text their messages end in filled in. */
  const triggered: Record<string, () => unknown | Promise<unknown>> = {
    "core: an unknown APP_ENV": () => environment("staging-2"),
    "routes: a path without /": () => Route.get("posts", [class {}, "show"] as never),
    "routes: an unknown route name": () => new RouteTable([]).url("home"),
    "security: a short APP_KEY": () => parseKey("short"),
    "request: too deep input": () => new InputLimits({ depth: 1 }).scanJson('{"a":{"b":{"c":1}}}'),
    "container: a missing controller method": () => planMethod(class {}, "show"),
    "foundation: a route's configuration mistake": () => Application.create({ root: ROOT, config: { app: { NAME: "x", ENV: "testing", DEBUG: false, URL: "http://localhost", KEY: "" } }, routes: [Route.get("/", [class Broken {}, "show"] as never)], middlewareGroups: {} }),
    "sessions: a bad Redis address": () => redisNodes("redis.internal:port"),
    "sessions: a store failure whose cause has no period": () => { throw new SessionStoreUnavailable(new Error("connect ECONNREFUSED 127.0.0.1:6379")); },
    "sessions: a store failure whose cause has one": () => { throw new SessionStoreUnavailable(new Error("Connection is closed.")); },
    "sessions: a store failure naming its server": () => { throw new SessionStoreUnavailable(new Error("Connection is closed."), { name: "Redis at 127.0.0.1:6379", fix: "start that Redis" }); },
    "sessions: a conflict": () => { throw new SessionConflict("visits"); },
    "commands: a bad name": () => makeTest(ROOT, "9lives", { force: false, routes: [] }),
    "commands: an unwritable file": () => makeTest("/dev/null", "Post", { force: false, todo: true, routes: [] }),
    "commands: a test for no controller": () => makeTest("/dev/null", "Nope", { force: false, routes: [] }),
  };
  for (const [what, trigger] of Object.entries(triggered)) {
    test(what, async () => {
      await assert.rejects(async () => trigger(), (error: Error) => {
        assert.ok(endsWithOnePeriod(error.message), `"${error.message}" does not end with one period`);
        return true;
      });
    });
  }

  test("craft's one-line errors from commander end with one period too", async () => {
    for (const args of [["controller"], ["serve", "--port", "abc"], ["nope"], ["controller", "--bogus", "x"]]) {
      let written = "";
      const craft = createCraft({ root: "/nonexistent", kernel: () => Promise.reject(new Error("unused.")) });
      for (const command of [craft, ...craft.commands]) command.exitOverride().configureOutput({ writeErr: (text) => void (written += text), writeOut: () => {} });
      await assert.rejects(craft.parseAsync(args, { from: "user" }));
      const line = written.split("\n")[0]!;
      assert.ok(endsWithOnePeriod(line), `craft ${args.join(" ")} printed "${line}"`);
    }
  });
});
