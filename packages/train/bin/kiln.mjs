#!/usr/bin/env node
// The `kiln` command: registers tsx's TypeScript loader, then runs the CLI from source.
import { register } from "tsx/esm/api";

// `kiln … | head` closes the pipe early: stop quietly, as a shell tool does, instead of dying with an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}
register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
