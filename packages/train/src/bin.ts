#!/usr/bin/env node
/**
 * @file The `kiln` command as an installed package runs it: compiled to
 * `dist/bin.js`, started by plain `node` (the shebang survives compilation).
 * Inside the repository `bin/kiln.mjs` runs this same file from source under tsx.
 */
import { main } from "./cli/main.js";

process.exitCode = await main(process.argv.slice(2));
