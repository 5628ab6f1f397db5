export { Request } from "./Request";
export { HttpContext, type HttpApp, type BodyRead } from "./HttpContext";
export { cleanInput } from "./input";
export { parseCookies } from "./cookies";
export { BodyReader, type BodySettings, type UploadedFile, type UploadSettings } from "./body";
export { InputLimits, type InputLimitSettings } from "./InputLimits";
export { UploadFolder } from "./uploads";
export { DelimiterCount } from "./multipart";
