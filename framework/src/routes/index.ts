export { Route, RouteDefinition, type RouteAction, type HttpMethod, type RouteGroupOptions, type RouteGroupScope } from "./Route";
export { RouteTable } from "./RouteTable";
export { coerceParams, type ParamSlot } from "./params";
