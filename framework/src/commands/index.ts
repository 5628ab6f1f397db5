export { createCraft, runCraft, type CraftOptions } from "./craft";
export { ensureAppKey } from "./serve";
