/**
 * @file `prepack` / `postpack` of every @kiln package. Inside the repository the
 * manifests point at TypeScript source (`exports: ./src/index.ts`, run by tsx and
 * vitest with no build); a packed tarball must serve compiled JavaScript and
 * declarations instead. npm has no per-pack manifest override, so `prepack`
 * builds `dist/` from scratch (stale files from deleted sources never ship),
 * keeps the development manifest as `.package.dev.json` and writes the published
 * one; `postpack` puts the development manifest back. An interrupted pack is
 * repaired by the next `prepack`.
 *
 * Run from a package directory: `tsx ../../scripts/pack-manifest.ts prepack|postpack`.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** `dev` with `publishConfig`'s fields (`exports`, `main`, `types`, `bin`) moved to the top level — what pnpm and yarn do natively — and without the repository-only `scripts`. */
function publishedManifest(dev: Record<string, unknown>): Record<string, unknown> {
  const { publishConfig, scripts: _scripts, ...rest } = dev;
  if (typeof publishConfig !== "object" || publishConfig === null) {
    throw new Error(`pack-manifest: ${String(dev.name)} has no publishConfig with the compiled exports`);
  }
  return { ...rest, ...publishConfig };
}

const dir = process.cwd();
const manifest = join(dir, "package.json");
const backup = join(dir, ".package.dev.json");
const step = process.argv[2];

if (step === "prepack") {
  if (existsSync(backup)) renameSync(backup, manifest);
  const dev = JSON.parse(readFileSync(manifest, "utf8")) as Record<string, unknown>;
  rmSync(join(dir, "dist"), { recursive: true, force: true });
  // compiler messages go to stderr, so `npm pack --json` keeps stdout parseable
  execFileSync("tsc", ["-b", "tsconfig.build.json"], { cwd: dir, stdio: ["ignore", 2, 2] });
  copyFileSync(manifest, backup);
  writeFileSync(`${manifest}.tmp`, `${JSON.stringify(publishedManifest(dev), null, 2)}\n`);
  renameSync(`${manifest}.tmp`, manifest);
} else if (step === "postpack") {
  if (existsSync(backup)) renameSync(backup, manifest);
} else {
  console.error(`pack-manifest: expected "prepack" or "postpack", got ${JSON.stringify(step)}`);
  process.exitCode = 2;
}
