// The public API of batchprop for Node (notebooks, scripts, the command line): the core plus
// the parts that read files. Browsers import "batchprop/core".
export * from "./core.js";
