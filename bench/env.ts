// Imported first by the server child: settles the environment before config/*.ts is read.
// The bench measures the app as it runs in production: compiled templates cached, no debug pages.
process.env.APP_ENV = "production";
process.env.APP_DEBUG = "false";
process.env.LOG_LEVEL ??= "warn";
if (!process.env.APP_KEY) throw new Error("bench server: APP_KEY must be set by bench/run.ts");
