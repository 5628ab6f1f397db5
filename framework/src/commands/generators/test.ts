import { readdirSync } from "node:fs";
import path from "node:path";
import type { RouteDefinition } from "../../routes/Route";
import { CommandError } from "../errors";
import { baseName, className, kebabCase } from "./names";
import { writeNewFile, type Generated } from "./writeNewFile";

/** What the generated test does: request a route, or fail with what to fill in. */
interface Check {
  /** The test's title. */
  title: string;
  /** The test's body, indented for inside `test(...)`. */
  body: string;
  usesAssert: boolean;
  hint: string;
}

/**
 * The route a first test should request: a GET without parameters renders a page as it is; a
 * GET with parameters needs sample values; any other method needs a body the test cannot know.
 */
function pickRoute(routes: readonly RouteDefinition[], controller: string): RouteDefinition | undefined {
  const served = routes.filter((route) => route.action[0].name === controller);
  const gets = served.filter((route) => route.method === "GET");
  return gets.find((route) => route.paramNames.length === 0) ?? gets[0] ?? served[0];
}

/** How the route answered when craft requested it (a GET only): the generated test expects the same. */
export interface Observed {
  status: number;
  /** A redirect's target, as a path when it stays on the app. */
  location?: string;
}

/** The GET the generated test will send, if it sends one: what craft requests first to see how it answers. */
export function plannedGet(routes: readonly RouteDefinition[], raw: string): string | undefined {
  const controller = className(baseName(className(raw, "Test", "Test"), "Test"), "Controller", "Test");
  const route = pickRoute(routes, controller);
  return route?.method === "GET" ? route.url(Object.fromEntries(route.paramNames.map((name) => [name, 1]))) : undefined;
}

function check(routes: readonly RouteDefinition[], controller: string, observed: Observed | undefined): Check {
  const route = pickRoute(routes, controller);
  if (!route) {
    const todo = `TODO: no route pointed at ${controller} when craft wrote this test; add one to routes/web.ts or routes/api.ts, then request it here and assert what it answers, for example (await app.get("/${kebabCase(baseName(controller, "Controller"))}")).assertOk().`;
    return {
      title: `${controller} answers its route`,
      body: `    assert.fail(${JSON.stringify(todo)});`,
      usesAssert: true,
      hint: `No route points at ${controller} yet, so the test fails with a TODO until you fill in the request; run it with npm test.`,
    };
  }
  const action = `${controller}@${route.action[1]}`;
  // Sample values for the path's parameters: 1 suits numbers and strings alike.
  const url = route.url(Object.fromEntries(route.paramNames.map((name) => [name, 1])));
  const sample = route.paramNames.length ? `    // ${route.path} with ${route.paramNames.map((name) => `${name} = 1`).join(", ")}: change them to values your app has.\n` : "";
  const hint = `It requests ${route.method} ${url} (${action}); run it with npm test.`;
  if (route.method === "GET" && observed && observed.status >= 300 && observed.status < 400) {
    const to = observed.location ?? "";
    return {
      title: `GET ${url} redirects to ${to} (${action})`,
      body: `${sample}    // When craft wrote this test, GET ${url} redirected to ${to} (a sign-in page, say): this expects that. To test the page itself, sign in (or set up what it needs) first, then assertOk().\n    (await app.get(${JSON.stringify(url)})).assertRedirect(${JSON.stringify(to)});`,
      usesAssert: false,
      hint: `It requests GET ${url} (${action}), which redirected to ${to} when craft tried it, so the test expects that redirect; run it with npm test.`,
    };
  }
  if (route.method === "GET") {
    const failing = observed && (observed.status < 200 || observed.status >= 300) ? ` It answered ${observed.status} when craft tried it, so the test fails until the page answers 2xx.` : "";
    return { title: `GET ${url} answers (${action})`, body: `${sample}    (await app.get(${JSON.stringify(url)})).assertOk();`, usesAssert: false, hint: hint + failing };
  }
  const call = `app.${route.method.toLowerCase()}(${JSON.stringify(url)}, {})`;
  return {
    title: `${route.method} ${url} is answered (${action})`,
    body: [
      sample.trimEnd(),
      `    // TODO: send the fields ${route.method} ${route.path} expects and assert its answer (a redirect, JSON ...).`,
      `    const response = await ${call};`,
      `    assert.ok(response.status < 500 && response.status !== 404 && response.status !== 405, \`expected ${action} to answer, got \${response.status}: \${response.text.slice(0, 200)}\`);`,
    ].filter(Boolean).join("\n"),
    usesAssert: true,
    hint,
  };
}

function template(describe: string, { title, body, usesAssert }: Check): string {
  return `import "./support/env";
${usesAssert ? 'import assert from "node:assert/strict";\n' : ""}import { after, before, describe, test } from "node:test";
import { TestClient } from "masonite/testing";
import { kernel } from "../app/Kernel";

let app: TestClient;

before(async () => {
  app = await TestClient.start(kernel);
});
after(() => app.close());

describe(${JSON.stringify(describe)}, () => {
  test(${JSON.stringify(title)}, async () => {
${body}
  });
});
`;
}

/** Whether app/controllers (or a folder under it) has `<controller>.ts`. */
function controllerFileExists(root: string, controller: string): boolean {
  const dir = path.join(root, "app", "controllers");
  try {
    return readdirSync(dir, { recursive: true }).some((file) => path.basename(String(file)) === `${controller}.ts`);
  } catch {
    return false;
  }
}

/**
 * `craft test Post`: tests/post.test.ts, with the app started the way tests/example.test.ts does,
 * requesting a route that PostController serves (from the app's route list, as `craft routes:list`
 * reads it), or failing with a TODO when no route does. A GET is expected to answer as it did
 * when craft requested it (`observed`): a redirect (to a sign-in page) is asserted as one. A controller that exists nowhere (a typo,
 * most likely) is refused, unless `todo` asks for the failing TODO test anyway.
 */
export function makeTest(root: string, raw: string, options: { force: boolean; todo?: boolean; routes: readonly RouteDefinition[]; observed?: Observed }): Generated {
  // Any name is a fine test name; the suffix only keeps "PostTest" from becoming post-test.test.ts.
  const name = baseName(className(raw, "Test", "Test"), "Test");
  const controller = className(name, "Controller", "Test");
  const file = `tests/${kebabCase(name)}.test.ts`;
  const routed = options.routes.some((route) => route.action[0].name === controller);
  if (!routed && !options.todo && !controllerFileExists(root, controller)) {
    throw new CommandError("E_NO_CONTROLLER", `There is no ${controller}: no route points at it and app/controllers has no ${controller}.ts, so ${file} was not written; check the name, create it with "craft controller ${name}", or pass --todo to write a test that fails with a TODO until you fill it in.`);
  }
  const planned = check(options.routes, controller, options.observed);
  const { replaced } = writeNewFile(root, file, template(name, planned), options.force);
  return { file, replaced, hints: [planned.hint] };
}
