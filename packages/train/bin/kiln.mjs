#!/usr/bin/env node
// The `kiln` command inside the repository: registers tsx's TypeScript loader, then runs src/bin.ts.
// The published package's bin is the compiled dist/bin.js instead (see publishConfig in package.json).
import { register } from "tsx/esm/api";

// `kiln … | head` closes the pipe early: stop quietly, as a shell tool does, instead of dying with an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}
register();
await import("../src/bin.ts");
