/** Files a new app gets that the repository root cannot lend it: they name the app. */

/** Kept out of git: dependencies, secrets, logs and the compiled app. vendor/ is committed on purpose. */
export const APP_GITIGNORE = `node_modules/
build/
.env
storage/logs/*
!storage/logs/.gitkeep
`;

/** What `craft new` prints last: the commands the framework's README starts an app with. */
export function nextSteps(name: string, cd: string, installed: boolean): string {
  return `\n${name} is ready. Next:\n  ${cd}\n  ${installed ? "" : "npm install && "}npm run dev      # http://127.0.0.1:8000, restarting when you save a file`;
}

export function appReadme(name: string, tarball: string, version: string, drivers: readonly string[]): string {
  return `# ${name}

A web app on Masonite for TypeScript: Koa underneath, controllers with method injection,
Nunjucks templates, and sessions that are encrypted cookies by default (or kept in Redis,
a SQL database, files or memory).

## Run it

\`\`\`sh
npm install      # once; \`craft new\` already did it unless you passed --no-install
npm run dev      # serves http://127.0.0.1:8000 and restarts when you save a file
npm test         # type-checks, then runs tests/*.test.ts
npm run build    # type-checks, then compiles the app to build/ (templates and public files copied)
npm start        # runs build/ with plain node, for production (--port and --host change the address)
\`\`\`

In production, build in a full install, then install without the development tools and start:
\`npm ci --omit=dev\` leaves out TypeScript, SWC and the @types packages, and \`npm start\` loads
none of them. build/ is the app's root there: put its \`.env\` (or set the variables) for it, and its
logs and file sessions go under \`build/storage/\`; \`npm run build\` replaces the compiled code and
copied files and leaves those alone.

\`.env\` holds this machine's settings (\`APP_KEY\`, \`SESSION_DRIVER=${drivers.join("|")}\`, Redis
address, \`DATABASE_URL\`); \`.env.example\` lists them all. Never commit \`.env\`.

## Where things are

- \`routes/web.ts\`: the routes, \`Route.get("/posts", [PostController, "index"]).name("posts.index")\`
- \`app/controllers/\`: controllers; methods marked \`@inject()\` get \`View\`, \`Request\`,
  \`Response\`, \`Session\` or your own services by type, and route parameters as strings
- \`app/Kernel.ts\`: middleware, providers and config handed to the framework
- \`resources/templates/\`: Nunjucks templates; \`base.html\` is the layout
- \`storage/public/\`: static files served as they are
- \`tests/\`: tests on \`masonite/testing\` (\`example.test.ts\` shows the assertions)

## craft

Run \`npx craft <command>\` (or \`npm run craft -- <command>\`); \`npx craft --help\` lists all.

- \`craft controller Post\` (\`-r\` for the seven resource methods), \`craft view posts.index\`,
  \`craft middleware Auth\`, \`craft provider Billing\`, \`craft test Post\` (a test that requests a
  route of \`PostController\`, or fails with a TODO saying what to fill in while it has none)
- \`craft routes:list\`: every route with its name, controller and middleware
- \`craft key --store\`: a new \`APP_KEY\` in \`.env\`
- \`craft serve --reload\`: restart on code changes while you work

## The framework, in vendor/

The framework is not on the npm registry yet, so this app carries it: \`vendor/${tarball}\`
is the \`masonite\` ${version} package, packed with \`npm pack\`, and \`package.json\`
depends on it with

\`\`\`json
"masonite": "file:vendor/${tarball}"
\`\`\`

npm installs a \`file:\` tarball like any registry package (the lockfile records its
checksum), so the app installs on any machine without the framework's repository. Commit
\`vendor/\`. To upgrade, drop a newer tarball in \`vendor/\`, change the file name in that
line and run \`npm install\`. Once \`masonite\` is published, change the line to
\`"masonite": "^${version}"\` and delete \`vendor/\`.
`;
}
