import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Context, Next } from "koa";
import type serveStatic from "koa-static";
import type { HttpContext } from "../request/HttpContext";

/** A path made only of characters that name themselves on disk: no %-escapes, backslashes or NULs. */
const PLAIN_PATH = /^\/[A-Za-z0-9._~\/-]*$/;

/** What path.posix.normalize (and the trailing-slash trim) would change in a plain path: "//", "/./", "/." at the end, a trailing "/". Most paths have none, and skip both. */
const NORMALISES = /\/\/|\/\.(?:\/|$)|.\/$/;

/** The file koa-static serves for a folder's path ("/", "/docs/"); a folder without one names nothing it would serve. */
const FOLDER_INDEX = "index.html";

/** Every file under `root` and every folder holding an index.html, as URL paths ("/", "/css/app.css"). */
function listPublicPaths(root: string): Set<string> {
  const paths = new Set<string>();
  const walk = (dir: string, prefix: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return; // no public folder: nothing to serve
    }
    if (entries.includes(FOLDER_INDEX)) paths.add(prefix || "/");
    for (const name of entries) {
      const url = `${prefix}/${name}`;
      if (statSync(path.join(dir, name), { throwIfNoEntry: false })?.isDirectory()) walk(path.join(dir, name), url);
      else paths.add(url);
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
 * straight on, and so does a folder's path ("/" included) when the folder has no index.html,
 * the only file koa-static serves for it: outside development the public folder is listed
 * once at start-up (a file added later is served after a restart), in development each
 * request stats the disk. Every other request (a file, a folder's index, "..", escapes, any
 * stat error) still goes through koa-static unchanged, which loads with the first of them:
 * an app whose pages are all routes never loads it.
 */
export function staticFiles(root: string, options: { watch: boolean }): StaticFiles {
  let serve: ReturnType<typeof serveStatic> | undefined;
  const listed = options.watch ? undefined : listPublicPaths(root);
  const exists = (pathname: string): boolean => {
    if (listed) return listed.has(NORMALISES.test(pathname) ? path.posix.normalize(pathname).replace(/(.)\/+$/, "$1") : pathname);
    try {
      const found = statSync(path.join(root, pathname), { throwIfNoEntry: false });
      return found?.isDirectory() ? statSync(path.join(root, pathname, FOLDER_INDEX), { throwIfNoEntry: false }) !== undefined : found !== undefined;
    } catch {
      return true; // ENOTDIR, ENAMETOOLONG ...: koa-send decides, as before
    }
  };
  return {
    wants({ method, path: pathname }) {
      if (method !== "GET" && method !== "HEAD") return false;
      return !PLAIN_PATH.test(pathname) || pathname.includes("..") || exists(pathname);
    },
    serve: (ctx, next) => (serve ??= (require("koa-static") as typeof serveStatic)(root, { defer: false, gzip: false, brotli: false }))(ctx, next),
  };
}
