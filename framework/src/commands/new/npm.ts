import { spawn } from "node:child_process";
import { sentence } from "../../core/errors";
import { CommandError } from "../errors";

const WINDOWS = process.platform === "win32";

/**
 * Runs npm in `cwd`. With `show` its output goes straight to the terminal (progress for
 * long installs); otherwise it is kept, and only shown when npm fails.
 */
export function runNpm(args: string[], cwd: string, options: { show?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(WINDOWS ? "npm.cmd" : "npm", args, {
      cwd,
      shell: WINDOWS, // npm is a .cmd script on Windows, which only a shell can start
      stdio: options.show ? "inherit" : ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (error) => reject(new CommandError("E_NPM_NOT_FOUND", `could not run npm (${error.message}); check that Node.js with npm is on the PATH.`, error)));
    child.on("exit", (code, signal) => {
      if (code === 0) return resolve();
      const lastLines = output.trim().split("\n").slice(-5).join(" | ");
      const why = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
      reject(new CommandError("E_NPM_FAILED", sentence(`"npm ${args.join(" ")}" ${why}${lastLines ? `: ${lastLines}` : ""}`)));
    });
  });
}
