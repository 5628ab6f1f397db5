export { MessageBag, type ErrorsInput } from "./MessageBag";
export { validate, type ValidationResult } from "./validate";
