/**
 * @file Prints lines per TypeScript source file and fails past the hard cap.
 * STYLE.md: aim under ~300 lines, split past ~500. Tests and fixtures are exempt.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const HARD_CAP = 500;
const SOFT_CAP = 300;
const ROOTS = ["packages", "benchmarks", "scripts", "test"];
const SKIP_DIRS = new Set(["node_modules", "fixtures", "results", "peers", "dist"]);

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!SKIP_DIRS.has(name)) yield* sourceFiles(path);
    } else if (name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts")) {
      yield path;
    }
  }
}

const root = process.cwd();
const rows: [string, number][] = [];
for (const r of ROOTS) {
  try {
    statSync(join(root, r));
  } catch {
    continue;
  }
  for (const f of sourceFiles(join(root, r))) {
    rows.push([relative(root, f), readFileSync(f, "utf8").split("\n").length]);
  }
}
rows.sort((a, b) => b[1] - a[1]);
const verbose = process.argv.includes("--all");
const over = rows.filter(([, n]) => n > HARD_CAP);
for (const [f, n] of verbose ? rows : rows.filter(([, n]) => n > SOFT_CAP)) {
  console.log(`${String(n).padStart(5)}  ${f}${n > HARD_CAP ? "  <-- over the hard cap" : ""}`);
}
const total = rows.reduce((s, [, n]) => s + n, 0);
console.log(`lines: ${rows.length} source files, ${total} lines, largest ${rows[0]?.[1] ?? 0}; cap ${HARD_CAP}`);
if (over.length > 0) {
  console.error(`lines: ${over.length} file(s) over ${HARD_CAP} lines: split them by concept`);
  process.exit(1);
}
