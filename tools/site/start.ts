// `npm start` (after `npm run build`): serves the built site on localhost and prints its address.
// Usage: tsx tools/site/start.ts [--port N]   (default 4173; PORT also works; 0 picks a free one)
import { parseArgs } from "node:util";
import { siteBase } from "./base.ts";
import { serveSite } from "./serve.ts";

const { values } = parseArgs({ options: { port: { type: "string" } } });
const port = Number(values.port ?? process.env.PORT ?? 4173);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`start: --port must be an integer in 0..65535, got ${values.port ?? process.env.PORT}`);
  process.exit(2);
}

try {
  const server = await serveSite({ root: "docs/.vitepress/dist", base: siteBase(), port });
  console.log(`batchprop site: ${server.url}  (Ctrl+C to stop)`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (error) {
  console.error(`start: ${(error as Error).message}`);
  process.exit(1);
}
