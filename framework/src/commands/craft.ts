import { Command, InvalidArgumentError, Option } from "commander";
import type { Kernel } from "../foundation/Application";
import { loadEnvironment } from "../core/env";
import { FrameworkError, sentence } from "../core/errors";
import { generateKey } from "../security/keys";
import { buildApp, BUILD_DIR } from "./build";
import { storeEnvValue } from "./envFile";
import { registerGenerators } from "./generators/register";
import { newApp, SESSION_DRIVERS, type SessionDriverName } from "./new/newApp";
import { routesList } from "./routesList";
import { serve, workerCount } from "./serve";
import { sessionTableStatements, SQL_DIALECTS, writeSessionTable } from "./sessionTable";
import type { SqlDialectName } from "../sessions/stores/database/schema";

export interface CraftOptions {
  /** The app's folder. */
  root: string;
  /** Loads `app/Kernel.ts` lazily, so `.env` and the app key are settled before config is read. */
  kernel: () => Promise<Kernel>;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("expected a port number between 0 and 65535.");
  return n;
}

/** Builds the `craft` command line: Masonite's `python craft`, with `--help` on every command. */
export function createCraft(options: CraftOptions): Command {
  const program = new Command("craft")
    .description("Masonite-style app commands")
    .showHelpAfterError()
    // Commander's own refusals ("missing required argument 'name'") end with a period like craft's; commands inherit this.
    .configureOutput({ outputError: (text, write) => write(`${sentence(text)}\n`) });

  program
    .command("serve")
    .description("start the app")
    .option("-p, --port <port>", "port to listen on", port, Number(process.env.PORT ?? 8000))
    .option("-b, --host <host>", "address to bind", "127.0.0.1")
    .option("-r, --reload", "restart when app code changes (development)", false)
    .option("--no-typecheck", "with --reload: do not run tsc --watch beside the server")
    .option("-w, --workers <count>", 'worker processes sharing the port (Node\'s cluster module); "auto" = one per CPU', workerCount, 1)
    .action((opts: { port: number; host: string; reload: boolean; workers: number; typecheck: boolean }) => serve(options.root, options.kernel, opts));

  program
    .command("build")
    .description(`type-check the app and compile it to ${BUILD_DIR}/, for production: node ${BUILD_DIR}/craft.js serve`)
    .action(() => {
      const { compiled } = buildApp(options.root);
      console.log(`Built ${compiled} files into ${BUILD_DIR}/ (templates and public files copied); start it with: node ${BUILD_DIR}/craft.js serve`);
    });

  program
    .command("key")
    .description("print a new random app key")
    .option("-s, --store", "write it into .env as APP_KEY (created from .env.example if missing)", false)
    .action((opts: { store: boolean }) => {
      const key = generateKey();
      if (!opts.store) return console.log(key);
      storeEnvValue(options.root, "APP_KEY", key);
      console.log("A new APP_KEY was written to .env.");
    });

  program
    .command("new <directory>")
    .description("create a new app in <directory> (its name becomes the package name)")
    .option("--no-install", "skip npm install")
    .addOption(new Option("--driver <driver>", "session driver written into the new .env").choices(SESSION_DRIVERS).default("cookie"))
    .option("--database-url <url>", "with --driver database: DATABASE_URL for the new .env, whose scheme (postgres://, mysql://, sqlite:) picks the client package the app depends on (default: PostgreSQL on 127.0.0.1, with pg)")
    .option("--force", "write into <directory> even if it has files (same-named files are replaced)", false)
    .showHelpAfterError(false) // bad input of `new` is one line, like its other refusals
    .action(async (directory: string, opts: { install: boolean; driver: SessionDriverName; databaseUrl?: string; force: boolean }) => {
      await newApp(directory, { ...opts, cwd: invocationDirectory() });
    });

  registerGenerators(program, options.root, options.kernel);

  program
    .command("routes:list")
    .description("list every route: method, path, name, controller@method and middleware")
    .action(async () => {
      loadEnvironment(options.root);
      console.log(routesList(await options.kernel()));
    });

  program
    .command("session:table")
    .description("print the CREATE TABLE and CREATE INDEX statements of the database session driver's table")
    .addOption(new Option("--dialect <dialect>", "the SQL dialect, instead of the one DATABASE_URL names").choices(SQL_DIALECTS))
    .option("-o, --out <file>", "write them to <file> (a migration) instead of printing them")
    .action(async (opts: { dialect?: SqlDialectName; out?: string }) => {
      loadEnvironment(options.root);
      const statements = sessionTableStatements(await options.kernel(), options.root, opts.dialect);
      console.log(opts.out ? writeSessionTable(statements, opts.out) : statements.trimEnd());
    });

  return program;
}

/**
 * Where the user typed the command. `npm run craft` runs scripts from the package root,
 * so a relative `craft new` directory is resolved from INIT_CWD, which npm sets to the
 * original directory; npx and `node craft.js` keep the working directory as it is.
 */
function invocationDirectory(): string {
  return process.env.npm_lifecycle_event === "craft" && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
}

/** Runs craft; expected failures print one clear line, not a stack trace. */
export async function runCraft(options: CraftOptions, argv: string[] = process.argv): Promise<void> {
  try {
    const craft = createCraft(options);
    // No command is a request for the list of commands, not a mistake (commander would exit 1).
    if (argv.length <= 2) {
      craft.outputHelp();
      return;
    }
    await craft.parseAsync(argv);
  } catch (error) {
    const known = error instanceof FrameworkError || (error instanceof Error && !(error instanceof TypeError));
    console.error(`craft: ${known ? sentence((error as Error).message) : (error as Error).stack}`);
    process.exitCode = 1;
  }
}
