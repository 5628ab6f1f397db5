import { randomBytes } from "node:crypto";

const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** 256 bits from the OS CSPRNG, base64url: the only way session ids and CSRF tokens are made. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Cheap shape check before an id reaches a store: anything else is treated as no id. */
export function isWellFormedId(id: string | undefined): id is string {
  return id !== undefined && ID_PATTERN.test(id);
}
