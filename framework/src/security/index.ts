export { Encrypter } from "./Encrypter";
export { generateKey, parseKey, deriveKey } from "./keys";
export { VerifyCsrfToken } from "./VerifyCsrfToken";
export { securityHeaderDefaults, securityHeaders, type SecurityHeaderOptions } from "./headers";
