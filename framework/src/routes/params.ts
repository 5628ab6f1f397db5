import { FrameworkError } from "../core/errors";

/** What a number route parameter may look like: no exponents, hex, padding, Infinity or NaN. */
const NUMBER_PARAM = /^-?\d+(\.\d+)?$/;
const BOOLEAN_PARAMS = new Map([["true", true], ["false", false], ["1", true], ["0", false]]);

/** One route parameter a controller method takes: its declared type and its position among the method's parameters. */
export interface ParamSlot {
  readonly type: unknown;
  readonly index: number;
}

/**
 * The route's parameters as the controller method declares them (`show(id: number)`), in order.
 * One that does not parse names no page, so it is a 404 rather than a NaN (or a false) handed
 * to the controller.
 */
export function coerceParams(slots: readonly ParamSlot[], raw: readonly string[], label: string): unknown[] {
  const values = new Array<unknown>(slots.length);
  for (let i = 0; i < slots.length; i++) values[i] = coerceParam(raw[i] ?? "", slots[i]!, label);
  return values;
}

function coerceParam(raw: string, { type, index }: ParamSlot, label: string): unknown {
  if (type === Number) {
    if (NUMBER_PARAM.test(raw)) return Number(raw);
    throw notFound(`Parameter ${index + 1} of ${label} is a number but the URL has ${JSON.stringify(raw)} there: link with digits such as 42, -7 or 1.5, or type the parameter string to take any text.`);
  }
  if (type === Boolean) {
    const value = BOOLEAN_PARAMS.get(raw);
    if (value !== undefined) return value;
    throw notFound(`Parameter ${index + 1} of ${label} is a boolean but the URL has ${JSON.stringify(raw)} there: link with true, false, 1 or 0, or type the parameter string to take any text.`);
  }
  return raw;
}

/** Visitors see the plain 404 page; the message, for the developer, shows in debug mode. */
function notFound(message: string): FrameworkError {
  return new FrameworkError("E_ROUTE_PARAM_TYPE", message, { status: 404, expose: false });
}
