import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

/** tsc's summary of one pass in watch mode: `Found 2 errors. Watching for file changes.` */
const SUMMARY = /Found (\d+) errors?\b/;
/** A diagnostic line without --pretty: `app/x.ts(3,5): error TS2322: ...`, and the lines that continue it. */
const DIAGNOSTIC = /^\S.*\(\d+,\d+\): error TS\d+:/;

/**
 * Under `craft serve --reload`: `tsc --noEmit --watch` on the app, beside the server, so code
 * that runs but does not type-check (SWC strips types without checking them) is reported in
 * the terminal within seconds of a save. It never holds up a restart: the server restarts as
 * before, and the errors of each pass are printed when tsc has them. A clean pass after errors
 * says so; a clean start says nothing more than that checking is on. Without TypeScript installed, or when tsc
 * cannot be started, it says checking is off, once.
 */
export function watchTypes(root: string, print: (text: string) => void = (text) => console.error(text)): ChildProcess | undefined {
  let tsc: string;
  try {
    tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
  } catch {
    print("craft: no type checking while serving: TypeScript is not installed in this app (npm install --save-dev typescript).");
    return undefined;
  }
  const child = spawn(process.execPath, [tsc, "--noEmit", "--watch", "--preserveWatchOutput", "--pretty", "false", "-p", root], { cwd: root, stdio: ["ignore", "pipe", "ignore"] });
  print("craft: type-checking in the background (tsc --watch): its errors show here, and never delay a restart; --no-typecheck turns it off.");
  // Without a listener a failed spawn (no such directory, out of processes) is thrown, and takes the supervisor down with it.
  child.on("error", (error) => print(`craft: type checking is off while serving: tsc could not be started (${error.message}).`));
  let errors: string[] = [];
  let failing = false;
  let buffered = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines.map((text) => text.replace(/\r$/, ""))) {
      const summary = SUMMARY.exec(line);
      if (summary) {
        const count = Number(summary[1]);
        if (count > 0) print(`craft: type errors (tsc; the server restarted anyway):\n${errors.join("\n")}\ncraft: ${count} type error${count === 1 ? "" : "s"}.`);
        else if (failing) print("craft: the type errors are fixed.");
        failing = count > 0;
        errors = [];
      } else if (DIAGNOSTIC.test(line)) {
        errors.push(path.isAbsolute(line) ? path.relative(root, line) : line);
      } else if (errors.length && /^\s+\S/.test(line)) {
        errors.push(line);
      }
    }
  });
  return child;
}
