/**
 * A site build that dies without stopping its step (orphan.test.ts kills it with SIGKILL): starts
 * the experiments on the grid in its arguments as the build starts its steps, and waits.
 */
import { spawnStep } from "../../tools/site/step.ts";

spawnStep(["--experimental-wasm-relaxed-simd", "lib/dist/cli/main.js", "experiment", ...process.argv.slice(2)], true);
setInterval(() => {}, 1000);
