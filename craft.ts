import { runCraft } from "masonite/commands";
import type { Kernel } from "masonite/foundation";

// The app's command line: `npm run craft -- <command>` (or `npx craft <command>`).
void runCraft({ root: __dirname, kernel: async () => (require("./app/Kernel") as { kernel: Kernel }).kernel });
