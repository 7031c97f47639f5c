/**
 * A runner that dies without shutting its kernel down (orphan.test.ts kills it with SIGKILL):
 * starts a kernel in the fixtures folder, keeps it busy, prints its pid and waits.
 */
import { Kernel } from "../../tools/notebooks/kernel.ts";
import { fixtures } from "./spawn.ts";

const kernel = await Kernel.start({ cwd: fixtures });
void kernel.execute("while (true) {}", 600_000).catch(() => undefined);
console.log(`kernel pid ${kernel.pid}`);
setInterval(() => {}, 1000);
