import { injectable } from "masonite/container";

/** An example app service: @injectable() is all it takes to be injected by type. */
@injectable()
export class Greeter {
  hello(): string {
    return "Hello from an injected service";
  }
}
