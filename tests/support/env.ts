// Imported first by every test file: settles the environment before config/*.ts is read.
import { generateKey } from "masonite/security";
import { captureLogs } from "masonite/testing";

process.env.APP_ENV = "testing";
process.env.APP_DEBUG = "false";
process.env.APP_KEY ??= generateKey();
process.env.LOG_LEVEL ??= "warn";
// Tests keep their sessions apart from the development ones, even on the same Redis.
process.env.SESSION_NAMESPACE ??= "masonite4-test";
// The app's log lines (a deliberate 503, a refused cookie) appear only under a failing test.
captureLogs();
