export { Encrypter } from "./Encrypter";
export { generateKey, parseKey, deriveKey } from "./keys";
export { securityHeaderDefaults, securityHeaders, type SecurityHeaderOptions } from "./headers";
