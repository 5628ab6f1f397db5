import type { Command } from "commander";
import { loadEnvironment } from "../../core/env";
import { sentence } from "../../core/errors";
import type { Kernel } from "../../foundation/Application";
import { CommandError } from "../errors";
import { makeController } from "./controller";
import { makeMiddleware } from "./middleware";
import { makeProvider } from "./provider";
import { makeTest } from "./test";
import { makeView } from "./view";
import type { Generated } from "./writeNewFile";

function report(generated: Generated): void {
  console.log(`${generated.replaced ? "Replaced" : "Created"} ${generated.file}`);
  for (const hint of generated.hints) console.log(hint);
}

/** The app's routes, read the way `craft routes:list` reads them. */
async function appRoutes(root: string, loadKernel: () => Promise<Kernel>): Promise<Kernel["routes"]> {
  loadEnvironment(root);
  try {
    return (await loadKernel()).routes;
  } catch (error) {
    throw new CommandError("E_APP_NOT_LOADED", sentence(`cannot read the app's routes, which craft test needs to find what the controller serves; fix this first: ${(error as Error).message}`), error);
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
    .action(async (name: string, opts: { force: boolean; todo: boolean }) => report(makeTest(root, name, { ...opts, routes: await appRoutes(root, loadKernel) })));
}
