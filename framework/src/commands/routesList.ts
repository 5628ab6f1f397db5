import type { Kernel } from "../foundation/Application";

const HEADER = ["METHOD", "PATH", "NAME", "ACTION", "MIDDLEWARE"];

/** One row per route as the Kernel registers it: every route runs the "web" group, then its own. */
export function routeRows(kernel: Kernel): string[][] {
  return kernel.routes.map((route) => {
    const [controller, method] = route.action;
    return [route.method, route.path, route.routeName ?? "", `${controller.name}@${method}`, ["web", ...route.middlewareNames].join(", ")];
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
  return rows.length ? formatTable(rows) : "The app defines no routes yet: add them to routes/web.ts.";
}
