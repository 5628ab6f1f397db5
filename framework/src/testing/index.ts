export { TestClient } from "./TestClient";
export { TestResponse } from "./TestResponse";
export { CookieJar } from "./CookieJar";
export { captureLogs } from "./captureLogs";
