import type { Context } from "koa";
import type { ViewFactory } from "./ViewFactory";

/**
 * A request's view: `view.render("welcome", { name })` returns the View, and the kernel
 * turns it into HTML when it builds the response. Rendering then, not at the call, lets
 * flash data set later in the same controller still reach the template.
 */
export class View {
  #factory: ViewFactory;
  #ctx: Context;
  #template: string | undefined;
  #context: Record<string, unknown> = {};
  /** The controller method this view serves (`PostController.create`), named when its template is missing. */
  #requestedBy: string | undefined;

  constructor(factory: ViewFactory, ctx: Context, requestedBy?: string) {
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
