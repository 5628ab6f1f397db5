import type { Command } from "commander";
import { loadEnvironment } from "../../core/env";
import { sentence } from "../../core/errors";
import { Application, type Kernel } from "../../foundation/Application";
import { CommandError } from "../errors";
import { makeController } from "./controller";
import { makeMiddleware } from "./middleware";
import { makeProvider } from "./provider";
import { makeTest, plannedGet, type Observed } from "./test";
import { makeView } from "./view";
import type { Generated } from "./writeNewFile";

function report(generated: Generated): void {
  console.log(`${generated.replaced ? "Replaced" : "Created"} ${generated.file}`);
  for (const hint of generated.hints) console.log(hint);
}

/** The app's Kernel, loaded the way `craft routes:list` loads it. */
async function appKernel(root: string, loadKernel: () => Promise<Kernel>): Promise<Kernel> {
  loadEnvironment(root);
  try {
    return await loadKernel();
  } catch (error) {
    throw new CommandError("E_APP_NOT_LOADED", sentence(`cannot read the app's routes, which craft test needs to find what the controller serves; fix this first: ${(error as Error).message}`), error);
  }
}

/**
 * How the app answers GET `url` now, so the test expects what the app really does (a redirect
 * to a sign-in page, say). The app runs silently for that one request; an app that cannot
 * start (its Redis is down) leaves the test expecting a 2xx, as without the probe.
 */
async function observe(kernel: Kernel, url: string): Promise<Observed | undefined> {
  let app: Application | undefined;
  try {
    app = await Application.create({ ...kernel, config: { ...kernel.config, logging: { ...kernel.config.logging, LEVEL: "silent" } } });
    const base = await app.listen(0);
    const response = await fetch(base + url, { redirect: "manual", headers: { accept: "text/html" } });
    await response.body?.cancel();
    const location = response.headers.get("location") ?? undefined;
    return { status: response.status, location: location?.startsWith(base) ? location.slice(base.length) || "/" : location };
  } catch {
    return undefined;
  } finally {
    await app?.close().catch(() => undefined);
  }
}

/** Masonite's generators: `craft controller|view|middleware|provider|test <name>`, never overwriting without --force. */
export function registerGenerators(program: Command, root: string, loadKernel: () => Promise<Kernel>): void {
  const force = ["-f, --force", "overwrite the file if it exists", false] as const;

  program
    .command("controller <name>")
    .description("create app/controllers/<Name>Controller.ts")
    .option("-r, --resource", "with index, create, store, show, edit, update and destroy", false)
    .option(...force)
    .action((name: string, opts: { resource: boolean; force: boolean }) => report(makeController(root, name, opts)));

  program
    .command("view <name>")
    .description("create resources/templates/<name>.html extending base.html (posts.index -> posts/index.html)")
    .option(...force)
    .action((name: string, opts: { force: boolean }) => report(makeView(root, name, opts)));

  program
    .command("middleware <name>")
    .description("create app/middleware/<Name>Middleware.ts")
    .option(...force)
    .action((name: string, opts: { force: boolean }) => report(makeMiddleware(root, name, opts)));

  program
    .command("provider <name>")
    .description("create app/providers/<Name>Provider.ts")
    .option(...force)
    .action((name: string, opts: { force: boolean }) => report(makeProvider(root, name, opts)));

  program
    .command("test <name>")
    .description("create tests/<name>.test.ts, requesting a route of <Name>Controller (or a TODO that fails until filled in)")
    .option("--todo", "write the test even when no such controller exists (it fails with a TODO until filled in)", false)
    .option(...force)
    .action(async (name: string, opts: { force: boolean; todo: boolean }) => {
      const kernel = await appKernel(root, loadKernel);
      const get = plannedGet(kernel.routes, name);
      report(makeTest(root, name, { ...opts, routes: kernel.routes, observed: get === undefined ? undefined : await observe(kernel, get) }));
    });
}
