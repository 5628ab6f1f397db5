import { CommandError } from "../errors";
import { writeNewFile, type Generated } from "./writeNewFile";

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function template(name: string, file: string): string {
  return `{% extends "base.html" %}
{% block title %}${name} · {{ config.name }}{% endblock %}
{% block content %}
<section class="card">
  <h1>${name}</h1>
  <p>Edit ${file} to change this page.</p>
</section>
{% endblock %}
`;
}

/** `craft view posts.index`: resources/templates/posts/index.html, extending the base layout. */
export function makeView(root: string, raw: string, options: { force: boolean }): Generated {
  const segments = raw.replace(/\.html$/, "").split(/[./]/);
  if (!segments.every((segment) => SEGMENT.test(segment))) {
    throw new CommandError("E_BAD_NAME", `view name "${raw}" must be dot-separated words of letters, digits, - and _ (for example "posts.index").`);
  }
  const name = segments.join(".");
  const file = `resources/templates/${segments.join("/")}.html`;
  const { replaced } = writeNewFile(root, file, template(name, file), options.force);
  return { file, replaced, hints: [`Render it from a controller: return view.render("${name}");`] };
}
