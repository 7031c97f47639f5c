#!/usr/bin/env node
// The batchprop command: a committed entry point, so npm can link it before the library is built.
import "../dist/cli/main.js";
