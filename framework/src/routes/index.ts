export { Route, RouteDefinition, type RouteAction, type HttpMethod } from "./Route";
export { RouteTable, url } from "./RouteTable";
