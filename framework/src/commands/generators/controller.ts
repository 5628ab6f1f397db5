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

function resourceRoutes(name: string, views: string, path: string): string[] {
  const route = (method: string, suffix: string, action: string) => `  Route.${method}("${path}${suffix}", [${name}, "${action}"]).name("${views}.${action}"),`;
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

/** `craft controller Post [-r]`: app/controllers/PostController.ts. */
export function makeController(root: string, raw: string, options: { resource: boolean; force: boolean }): Generated {
  const name = className(raw, "Controller", "Controller");
  const resource = kebabCase(baseName(name, "Controller"));
  const views = plural(resource);
  const path = `/${views}`;
  const file = `app/controllers/${name}.ts`;
  const importLine = `import { ${name} } from "../app/controllers/${name}";`;
  if (options.resource) {
    const { replaced } = writeNewFile(root, file, resourceController(name, resource, views, path), options.force);
    return {
      file,
      replaced,
      hints: [`Add its routes to routes/web.ts (${importLine}):`, ...resourceRoutes(name, views, path), `and its views: craft view ${views}.index (also create, show, edit).`],
    };
  }
  const { replaced } = writeNewFile(root, file, plainController(name, resource), options.force);
  return {
    file,
    replaced,
    hints: [`Add a route to routes/web.ts (${importLine}):`, `  Route.get("/${resource}", [${name}, "show"]).name("${resource}"),`, `and its view: craft view ${resource}`],
  };
}
