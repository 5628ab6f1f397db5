import { CommandError } from "../errors";

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * A class name in the app's style: `post`, `blog_post` or `PostController` with suffix
 * "Controller" all become `PostController` / `BlogPostController`.
 */
export function className(raw: string, suffix: string, kind: string): string {
  if (!IDENTIFIER.test(raw)) {
    throw new CommandError("E_BAD_NAME", `${kind} name "${raw}" must start with a letter and use only letters, digits, - and _ (for example "Post").`);
  }
  const pascal = raw
    .split(/[-_]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
  // "Postcontroller" is a typo of the suffix, not a class called "PostcontrollerController".
  const base = pascal.toLowerCase().endsWith(suffix.toLowerCase()) ? pascal.slice(0, pascal.length - suffix.length) : pascal;
  if (!base) throw new CommandError("E_BAD_NAME", `"${raw}" is only the suffix; name the ${kind.toLowerCase()} after what it is for (for example "Post${suffix}").`);
  return base + suffix;
}

/** The class name without its suffix: `PostController` -> `Post`. */
export function baseName(name: string, suffix: string): string {
  return name.endsWith(suffix) ? name.slice(0, name.length - suffix.length) : name;
}

/** `BlogPost` -> `blog-post`: file, path and view names. */
export function kebabCase(pascal: string): string {
  return pascal.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

/** `AuthMiddleware` -> `auth`: the key a class is registered under in the Kernel. */
export function camelCase(pascal: string): string {
  return pascal[0]!.toLowerCase() + pascal.slice(1);
}

/** English plural for route paths (`post` -> `posts`); simple rules, edit the result if needed. */
export function plural(word: string): string {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}
