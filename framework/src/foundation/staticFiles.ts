import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Context, Next } from "koa";
import serveStatic from "koa-static";
import type { HttpContext } from "../request/HttpContext";

/** A path made only of characters that name themselves on disk: no %-escapes, backslashes or NULs. */
const PLAIN_PATH = /^\/[A-Za-z0-9._~\/-]*$/;

/** What path.posix.normalize (and the trailing-slash trim) would change in a plain path: "//", "/./", "/." at the end, a trailing "/". Most paths have none, and skip both. */
const NORMALISES = /\/\/|\/\.(?:\/|$)|.\/$/;

/** Every file and folder under `root`, as URL paths ("/css", "/css/app.css"). */
function listPublicPaths(root: string): Set<string> {
  const paths = new Set<string>(["/"]);
  const walk = (dir: string, prefix: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return; // no public folder: nothing to serve
    }
    for (const name of entries) {
      const url = `${prefix}/${name}`;
      paths.add(url);
      if (statSync(path.join(dir, name), { throwIfNoEntry: false })?.isDirectory()) walk(path.join(dir, name), url);
    }
  };
  walk(root, "");
  return paths;
}

/** The public folder's part of the request pipeline. */
export interface StaticFiles {
  /** Whether the request may be for a file: koa-static then decides. */
  wants(ctx: HttpContext): boolean;
  /** koa-static: the file, or `next` when there is none. */
  serve(ctx: Context, next: Next): Promise<unknown>;
}

/**
 * Files from `storage/public`, served before any route exactly as koa-static serves them,
 * without its cost on the requests that are not for a file. koa-send answers those with a
 * failing async stat (a thread-pool hop and an Error built per request, a seventh of a
 * routed request's time in the profile). A plain path that names nothing on disk goes
 * straight on: outside development the public folder is listed once at start-up (a file
 * added later is served after a restart), in development each request stats the disk.
 * Every other request (a file, a folder, "..", escapes, any stat error) still goes through
 * koa-static unchanged.
 */
export function staticFiles(root: string, options: { watch: boolean }): StaticFiles {
  const serve = serveStatic(root, { defer: false, gzip: false, brotli: false });
  const listed = options.watch ? undefined : listPublicPaths(root);
  const exists = (pathname: string): boolean => {
    if (listed) return listed.has(NORMALISES.test(pathname) ? path.posix.normalize(pathname).replace(/(.)\/+$/, "$1") : pathname);
    try {
      return statSync(path.join(root, pathname), { throwIfNoEntry: false }) !== undefined;
    } catch {
      return true; // ENOTDIR, ENAMETOOLONG ...: koa-send decides, as before
    }
  };
  return {
    wants({ method, path: pathname }) {
      if (method !== "GET" && method !== "HEAD") return false;
      return !PLAIN_PATH.test(pathname) || pathname.includes("..") || exists(pathname);
    },
    serve: (ctx, next) => serve(ctx, next),
  };
}
