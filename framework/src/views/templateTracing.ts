import nunjucks from "nunjucks";
import { displayPath } from "../core/paths";

/*
 * Nunjucks reports a render error at the line of the template being rendered, whichever
 * template the mistake is in (a child's block runs inside its layout), and it has no
 * warning for an undefined value. Both need the one thing its compiled code knows: which
 * template a render function came from. Every template the environment loads (the one
 * rendered, its layouts, includes and imports) has its render functions wrapped here, so
 * an error is stamped with the file and line where it arose, and in development the
 * values a template prints are checked as they are printed.
 */

type RenderCallback = (error: unknown, result?: unknown) => void;
type RenderFunction = (env: unknown, context: unknown, frame: unknown, runtime: unknown, cb: RenderCallback) => void;
interface CompiledTemplate {
  path?: string;
  rootRenderFunc: RenderFunction;
  blocks: Record<string, RenderFunction>;
  /** Compiles once; `_compile` does the work, and sets `rootRenderFunc` and `blocks`. */
  compile(): void;
  _compile(): void;
}
type Runtime = typeof nunjucks.runtime & {
  contextOrFrameLookup(context: unknown, frame: unknown, name: string): unknown;
  memberLookup(obj: unknown, key: unknown): unknown;
  handleError(error: unknown, lineno: number, colno: number): unknown;
};
type GetTemplate = (name: unknown, eagerCompile?: unknown, parentName?: unknown, ignoreMissing?: unknown, cb?: RenderCallback) => unknown;

const LOCATION = Symbol("masonite:templateLocation");
/** Nunjucks's error class, which also wraps an error given instead of a message (its typings know only the message). */
const TemplateError = nunjucks.lib.TemplateError as unknown as new (cause: unknown) => nunjucks.lib.TemplateError;

/**
 * Where a render error arose: the template file (relative to the working folder) and its
 * 1-based line and column, which Nunjucks tracks at calls and lookups but not, say, at a filter.
 */
export interface TemplateLocation {
  file: string;
  /** The template's absolute path, to read its source again. */
  path: string;
  line?: number;
  column?: number;
  /** Nunjucks's own words for the mistake, without the locations it chains on. */
  message: string;
}

/** The location stamped on a template render error, if it arose in a template. */
export function templateLocation(error: unknown): TemplateLocation | undefined {
  return typeof error === "object" && error !== null ? (error as { [LOCATION]?: TemplateLocation })[LOCATION] : undefined;
}

/**
 * The first template function an error passes through is the one it arose in (a syntax
 * error: the template being compiled). Nunjucks's compiled code numbers lines and columns from 0, leaves both at 0 where it tracked no position, and
 * gives none to an error it passes on unwrapped (a template that an include names is missing).
 */
function stamp(raw: unknown, file: string, templatePath: string, phase: "compile" | "render"): unknown {
  if (typeof raw !== "object" || raw === null || LOCATION in raw) return raw;
  // As a TemplateError it passes every template above as this same object, stamp included.
  const error = raw instanceof nunjucks.lib.TemplateError ? raw : new TemplateError(raw);
  const { lineno, colno, message } = error as { lineno?: unknown; colno?: unknown; message?: unknown };
  const known = typeof lineno === "number" && (lineno > 0 || (typeof colno === "number" && colno > 0));
  const location: TemplateLocation = { file, path: templatePath, message: String(message ?? "").replace(/^Error: /, "") };
  // The parser numbers from 1 already; the compiled code's positions count from 0.
  const offset = phase === "compile" ? 0 : 1;
  if (known) Object.assign(location, { line: lineno + offset, column: typeof colno === "number" ? colno + offset : 1 });
  Object.defineProperty(error, LOCATION, { value: location });
  return error;
}

/**
 * The runtime one template's functions run with. An error stamped in a nested template
 * passes up as it is: Nunjucks would wrap one at line 0 (a position it did not track) in a
 * new error, losing the stamp.
 */
function templateRuntime(): Runtime {
  const base = nunjucks.runtime as Runtime;
  return Object.assign(Object.create(base) as Runtime, {
    handleError(error: unknown, lineno: number, colno: number): unknown {
      return templateLocation(error) ? error : base.handleError(error, lineno, colno);
    },
  });
}

/**
 * A runtime for one template's functions that reports, instead of printing nothing in
 * silence, each undefined variable or property the template prints: the compiler emits
 * `ensureDefined` around every `{{ }}` when `throwOnUndefined` is on, with the line; the
 * lookups before it say whether the last name looked up came out undefined. A call that
 * returns nothing (`old("name")`, a flash message not set) is a deliberate empty, not a warning.
 */
function warningRuntime(file: string, warn: (message: string) => void): Runtime {
  const base = nunjucks.runtime as Runtime;
  let chain = "";
  let missing: string | undefined;
  return Object.assign(templateRuntime(), {
    contextOrFrameLookup(context: unknown, frame: unknown, name: string): unknown {
      const value = base.contextOrFrameLookup(context, frame, name);
      chain = name;
      missing = value === undefined ? name : undefined;
      return value;
    },
    memberLookup(obj: unknown, key: unknown): unknown {
      const value = base.memberLookup(obj, key);
      chain = `${chain}.${String(key)}`;
      // `post.nmae` names the property; `user.name` with no `user` names `user`.
      missing = value === undefined ? missing ?? chain : undefined;
      return value;
    },
    ensureDefined(value: unknown, lineno: number): unknown {
      if (value === undefined && missing) warn(`Template ${file} line ${lineno + 1}: ${missing} is undefined and printed as empty.`);
      missing = undefined;
      return value;
    },
  });
}

/**
 * Wraps the environment's template loading. `warn`, given in development, hears of every
 * undefined value a template prints; its templates are compiled with the check in (and
 * only they: `throwOnUndefined` also changes filters, so it is on for compiling alone).
 */
export function traceTemplates(environment: nunjucks.Environment, warn?: (message: string) => void): void {
  const traced = new WeakSet<CompiledTemplate>();
  const options = (environment as unknown as { opts: { throwOnUndefined: boolean; dev: boolean } }).opts;
  // Keeps a nested template's error object as it is, stamp included, instead of a copy per level.
  options.dev = true;
  // A template is compiled when first rendered, as before (loading one, `exists()`, compiles nothing).
  const trace = (template: CompiledTemplate): CompiledTemplate => {
    if (traced.has(template) || !template.path) return template;
    traced.add(template);
    const file = displayPath(template.path);
    const runtime = warn ? warningRuntime(file, warn) : templateRuntime();
    const wrap = (render: RenderFunction): RenderFunction => (env, context, frame, _runtime, cb) =>
      render(env, context, frame, runtime, (error, result) => cb(error ? stamp(error, file, template.path!, "render") : error, result));
    const compile = template._compile.bind(template);
    template._compile = () => {
      options.throwOnUndefined = warn !== undefined;
      try {
        compile();
      } catch (error) {
        throw stamp(error, file, template.path!, "compile");
      } finally {
        options.throwOnUndefined = false;
      }
      template.rootRenderFunc = wrap(template.rootRenderFunc);
      for (const name of Object.keys(template.blocks)) template.blocks[name] = wrap(template.blocks[name]!);
    };
    return template;
  };
  const load = environment.getTemplate.bind(environment) as GetTemplate;
  // Nunjucks's calling forms: (name), (name, eager), (name, cb), (name, eager, cb), (name, eager, parent, ignoreMissing, cb).
  // Loaded without compiling, so the compile that a layout (`eager`) asks for runs traced.
  const getTemplate: GetTemplate = (name, ...rest) => {
    const at = rest.findIndex((arg) => typeof arg === "function");
    const [eager = false, parentName = null, ignoreMissing = false] = at === -1 ? rest : rest.slice(0, at);
    const ready = (template: CompiledTemplate): CompiledTemplate => {
      trace(template);
      if (eager) template.compile();
      return template;
    };
    if (at === -1) return ready(load(name, false, parentName, ignoreMissing) as CompiledTemplate);
    const cb = rest[at] as RenderCallback;
    return load(name, false, parentName, ignoreMissing, (error, template) => {
      if (error) return cb(error);
      let result: CompiledTemplate;
      try {
        result = ready(template as CompiledTemplate);
      } catch (failure) {
        return cb(failure);
      }
      cb(null, result);
    });
  };
  (environment as unknown as { getTemplate: GetTemplate }).getTemplate = getTemplate;
}
