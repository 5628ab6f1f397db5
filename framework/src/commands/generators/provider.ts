import { className } from "./names";
import { writeNewFile, type Generated } from "./writeNewFile";

function template(name: string): string {
  return `import { Provider, type Application } from "masonite/foundation";

/** register() binds services into the container; boot() runs once every provider has registered. */
export class ${name} extends Provider {
  override register(_app: Application): void {}

  override boot(_app: Application): void {}
}
`;
}

/** `craft provider Billing`: app/providers/BillingProvider.ts. */
export function makeProvider(root: string, raw: string, options: { force: boolean }): Generated {
  const name = className(raw, "Provider", "Provider");
  const file = `app/providers/${name}.ts`;
  const { replaced } = writeNewFile(root, file, template(name), options.force);
  return { file, replaced, hints: [`Add it to providers in app/Kernel.ts: providers: [SessionProvider, AppProvider, ${name}] (import it from "./providers/${name}").`] };
}
