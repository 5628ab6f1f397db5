import type { SecurityHeaderOptions } from "masonite/security";
import { securityHeaderDefaults } from "masonite/security";
import { URL } from "./app";

/**
 * Headers on every response, error pages included, set by helmet: its option names, `false`
 * leaves a header out. The defaults keep helmet's Content-Security-Policy (scripts, styles and
 * images from this site only; no inline scripts), so a template that needs a CDN or an inline
 * script adds it here, e.g. `contentSecurityPolicy: { directives: { "script-src": ["'self'", "https://cdn.example"] } }`.
 */
export const HEADERS: SecurityHeaderOptions = {
  ...securityHeaderDefaults(URL),
};
