import { Command, InvalidArgumentError } from "commander";
import type { Kernel } from "../foundation/Application";
import { FrameworkError } from "../foundation/errors";
import { generateKey } from "../security/keys";
import { storeEnvValue } from "./envFile";
import { serve } from "./serve";

export interface CraftOptions {
  /** The app's folder. */
  root: string;
  /** Loads `app/Kernel.ts` lazily, so `.env` and the app key are settled before config is read. */
  kernel: () => Promise<Kernel>;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("expected a port number between 0 and 65535");
  return n;
}

/** Builds the `craft` command line: Masonite's `python craft`, with `--help` on every command. */
export function createCraft(options: CraftOptions): Command {
  const program = new Command("craft").description("Masonite-style app commands").showHelpAfterError();

  program
    .command("serve")
    .description("start the app")
    .option("-p, --port <port>", "port to listen on", port, Number(process.env.PORT ?? 8000))
    .option("-b, --host <host>", "address to bind", "127.0.0.1")
    .option("-r, --reload", "restart when app code changes (development)", false)
    .action((opts: { port: number; host: string; reload: boolean }) => serve(options.root, options.kernel, opts));

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

  return program;
}

/** Runs craft; expected failures print one clear line, not a stack trace. */
export async function runCraft(options: CraftOptions, argv: string[] = process.argv): Promise<void> {
  try {
    await createCraft(options).parseAsync(argv);
  } catch (error) {
    const known = error instanceof FrameworkError || (error instanceof Error && !(error instanceof TypeError));
    console.error(`craft: ${known ? (error as Error).message : (error as Error).stack}`);
    process.exitCode = 1;
  }
}
