#!/usr/bin/env node
// The `kiln` command inside the repository: registers tsx's TypeScript loader, then runs src/bin.ts.
// The published package's bin is the compiled dist/bin.js instead (see publishConfig in package.json).
import { register } from "tsx/esm/api";

register();
await import("../src/bin.ts");
