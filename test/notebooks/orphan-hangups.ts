/**
 * A command run as a build step (orphan.test.ts): preloaded with the parent watch, it calls
 * watchParent() itself, as the notebook runner does, and counts the SIGHUPs it gets.
 */
import { watchParent } from "../../lib/cli/parent-watch.ts";

watchParent();
let hangups = 0;
process.on("SIGHUP", () => console.log(`SIGHUP ${++hangups}`));
console.log("ready");
setInterval(() => {}, 1000);
