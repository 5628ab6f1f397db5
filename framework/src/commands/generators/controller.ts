import { CommandError } from "../errors";
import { baseName, className, kebabCase, plural } from "./names";
import { writeNewFile, type Generated } from "./writeNewFile";

function plainController(name: string, view: string): string {
  return `import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { View } from "masonite/views";

export class ${name} extends Controller {
  @inject()
  show(view: View) {
    return view.render("${view}");
  }
}
`;
}

/** The seven resource actions, Masonite's order; forms validate with zod like ContactController. */
function resourceController(name: string, resource: string, views: string, path: string): string {
  const form = `${baseName(name, "Controller")}Form`;
  const title = resource[0]!.toUpperCase() + resource.slice(1).replace(/-/g, " ");
  return `import { z } from "zod";
import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Request } from "masonite/request";
import { Response } from "masonite/response";
import { Session } from "masonite/sessions";
import { View } from "masonite/views";

/** What the ${resource} form sends; change the fields to yours. */
const ${form} = z.object({
  title: z.string().trim().min(1, "Please give it a title"),
});

export class ${name} extends Controller {
  @inject()
  index(view: View) {
    return view.render("${views}.index");
  }

  @inject()
  create(view: View) {
    return view.render("${views}.create");
  }

  @inject()
  store(request: Request, response: Response, session: Session) {
    const result = request.validate(${form});
    if (!result.ok) return response.back().withErrors(result.errors).withInput();
    // Save result.data here.
    session.flash("success", "${title} created.");
    return response.redirect("${path}");
  }

  @inject()
  show(view: View, id: string) {
    return view.render("${views}.show", { id });
  }

  @inject()
  edit(view: View, id: string) {
    return view.render("${views}.edit", { id });
  }

  @inject()
  update(request: Request, response: Response, session: Session, id: string) {
    const result = request.validate(${form});
    if (!result.ok) return response.back().withErrors(result.errors).withInput();
    // Update ${resource} \`id\` with result.data here.
    session.flash("success", "${title} updated.");
    return response.redirect(\`${path}/\${encodeURIComponent(id)}\`);
  }

  @inject()
  destroy(response: Response, session: Session, id: string) {
    // Delete ${resource} \`id\` here.
    session.flash("success", \`${title} \${id} deleted.\`);
    return response.redirect("${path}");
  }
}
`;
}

/** A JSON controller for routes/api.ts: plain objects become JSON, and there is no session or view. */
function apiController(name: string, resource: string, options: { resource: boolean }): string {
  const list = camel(plural(resource));
  if (!options.resource) {
    return `import { Controller } from "masonite/controllers";

export class ${name} extends Controller {
  index() {
    return { ${list}: [] };
  }
}
`;
  }
  return `import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Request } from "masonite/request";
import { Response } from "masonite/response";

/** The JSON API of ${plural(resource)}: what each action returns is sent as JSON. */
export class ${name} extends Controller {
  index() {
    return { ${list}: [] };
  }

  @inject()
  store(request: Request, response: Response) {
    // Validate with request.validate(schema) and save here.
    return response.json({ ${camel(resource)}: request.all() }, 201);
  }

  @inject()
  show(id: string) {
    return { ${camel(resource)}: { id } };
  }

  @inject()
  update(request: Request, id: string) {
    return { ${camel(resource)}: { id, ...request.all() } };
  }

  @inject()
  destroy(response: Response, id: string) {
    // Delete ${resource} \`id\` here.
    return response.status(204);
  }
}
`;
}

/** `blog-post` -> `blogPost`: a JSON key. */
function camel(kebab: string): string {
  return kebab.replace(/-(\w)/g, (_match, letter: string) => letter.toUpperCase());
}

function resourceRoutes(name: string, views: string, path: string, api: boolean): string[] {
  const route = (method: string, suffix: string, action: string) => `  Route.${method}("${path}${suffix}", [${name}, "${action}"]).name("${views}.${action}"),`;
  if (api) return [route("get", "", "index"), route("post", "", "store"), route("get", "/@id", "show"), route("put", "/@id", "update"), route("delete", "/@id", "destroy")];
  return [
    route("get", "", "index"),
    route("get", "/create", "create"),
    route("post", "", "store"),
    route("get", "/@id", "show"),
    route("get", "/@id/edit", "edit"),
    route("put", "/@id", "update"),
    route("delete", "/@id", "destroy"),
  ];
}

const FOLDER = /^[a-z][a-z0-9_-]*$/i;

/**
 * `api/Post` -> the folder under app/controllers (`api`) and the class's name (`Post`). A
 * controller in `api/` is a JSON one for routes/api.ts, as the skeleton keeps them.
 */
function splitFolder(raw: string): { folders: string[]; name: string } {
  const parts = raw.split("/");
  const name = parts.pop()!;
  if (!parts.every((part) => FOLDER.test(part))) {
    throw new CommandError("E_BAD_NAME", `Controller path "${raw}" must be folder names of letters, digits, - and _ before the name, separated by / (for example "api/Post").`);
  }
  return { folders: parts, name };
}

/** `craft controller Post [-r]`: app/controllers/PostController.ts; `craft controller api/Post`: app/controllers/api/PostController.ts. */
export function makeController(root: string, raw: string, options: { resource: boolean; force: boolean }): Generated {
  const { folders, name: given } = splitFolder(raw);
  const name = className(given, "Controller", "Controller");
  const api = folders[0]?.toLowerCase() === "api";
  // Inside api/, paths and names start after the group's own /api prefix and "api." names, as in routes/api.ts.
  const scope = folders.slice(api ? 1 : 0).map((folder) => kebabCase(folder));
  const resource = kebabCase(baseName(name, "Controller"));
  const views = [...scope, plural(resource)].join(".");
  const path = `/${[...scope, plural(resource)].join("/")}`;
  const folder = folders.length ? `${folders.join("/")}/` : "";
  const file = `app/controllers/${folder}${name}.ts`;
  const importLine = `import { ${name} } from "../app/controllers/${folder}${name}";`;
  const routes = api ? "routes/api.ts" : "routes/web.ts";
  if (api) {
    const names = `api.${views}`;
    const { replaced } = writeNewFile(root, file, apiController(name, resource, options), options.force);
    const lines = options.resource ? resourceRoutes(name, names, path, true) : [`  Route.get("${path}", [${name}, "index"]).name("${names}.index"),`];
    return { file, replaced, hints: [`Add ${lines.length > 1 ? "its routes" : "a route"} to ${routes} (${importLine}), served under /api${path}:`, ...lines] };
  }
  if (options.resource) {
    const { replaced } = writeNewFile(root, file, resourceController(name, resource, views, path), options.force);
    return {
      file,
      replaced,
      hints: [`Add its routes to ${routes} (${importLine}):`, ...resourceRoutes(name, views, path, false), `and its views: craft view ${views}.index (also create, show, edit).`],
    };
  }
  const single = [...scope, resource].join(".");
  const { replaced } = writeNewFile(root, file, plainController(name, single), options.force);
  return {
    file,
    replaced,
    hints: [`Add a route to ${routes} (${importLine}):`, `  Route.get("/${[...scope, resource].join("/")}", [${name}, "show"]).name("${single}"),`, `and its view: craft view ${single}`],
  };
}
