import type { Kernel } from "../foundation/Application";
import { routePipeline } from "../foundation/routing";

const HEADER = ["METHOD", "PATH", "NAME", "ACTION", "GROUP", "MIDDLEWARE"];

/** One row per route as the Kernel registers it: its middleware groups and every middleware it runs, in order ("-" for none). */
export function routeRows(kernel: Kernel): string[][] {
  return kernel.routes.map((route) => {
    const [controller, method] = route.action;
    const pipeline = routePipeline(route, kernel.middlewareGroups, kernel.routeMiddleware);
    return [route.method, route.path, route.routeName ?? "", `${controller.name}@${method}`, pipeline.groups.join(", ") || "-", pipeline.middleware.map((type) => type.name).join(", ") || "-"];
  });
}

/** Columns padded to their widest cell, two spaces apart, trailing blanks trimmed. */
export function formatTable(rows: string[][]): string {
  const widths = HEADER.map((_, column) => Math.max(...[HEADER, ...rows].map((row) => row[column]!.length)));
  return [HEADER, ...rows].map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n");
}

/** `craft routes:list`: the table, read from the app's real route definitions. */
export function routesList(kernel: Kernel): string {
  const rows = routeRows(kernel);
  return rows.length ? formatTable(rows) : "The app defines no routes yet: add them to routes/web.ts or routes/api.ts.";
}
