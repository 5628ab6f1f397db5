import { HttpContext } from "../request/HttpContext";
import type { ViewFactory } from "./ViewFactory";

declare module "../request/HttpContext" {
  interface HttpApp {
    /** The app's templates. */
    readonly views: ViewFactory;
  }
  interface HttpContext {
    /** The request's View, made on first use. */
    readonly view: View;
  }
}

/**
 * A request's view: `view.render("welcome", { name })` returns the View, and the kernel
 * turns it into HTML when it builds the response. Rendering then, not at the call, lets
 * flash data set later in the same controller still reach the template.
 */
export class View {
  #factory: ViewFactory;
  #ctx: HttpContext;
  #template: string | undefined;
  #context: Record<string, unknown> = {};
  /** The controller method this view serves (`PostController.create`), named when its template is missing. */
  #requestedBy: string | undefined;

  constructor(factory: ViewFactory, ctx: HttpContext, requestedBy?: string) {
    this.#factory = factory;
    this.#ctx = ctx;
    this.#requestedBy = requestedBy;
  }

  render(template: string, context: Record<string, unknown> = {}): this {
    this.#template = template;
    this.#context = context;
    return this;
  }

  exists(template: string): boolean {
    return this.#factory.exists(template);
  }

  toHtml(): string {
    if (this.#template === undefined) throw new Error("View.toHtml() called before render(): return view.render(\"name\") from the controller.");
    return this.#factory.render(this.#template, this.#context, this.#ctx, this.#requestedBy);
  }
}

// The context's `view` field: made on first use, then kept on the context as a plain value.
Object.defineProperty(HttpContext.prototype, "view", {
  configurable: true,
  get(this: HttpContext): View {
    const action = this.route?.action;
    const view = new View(this.app.views, this, action && `${action[0].name}.${action[1]}`);
    Object.defineProperty(this, "view", { value: view });
    return view;
  },
});
