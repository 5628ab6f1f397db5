export { Route, RouteDefinition, type RouteAction, type HttpMethod, type RouteGroupOptions, type RouteGroupScope } from "./Route";
export { RouteTable, routeTableOf, url } from "./RouteTable";
