/**
 * @file The packages as an npm user gets them: `npm pack` each @kiln package (its
 * `prepack` builds dist/ and swaps in the published manifest), install the
 * tarballs into an empty project outside the workspace, then run a training
 * script with plain `node`, the installed `kiln` binary (with @kiln/lab's
 * commands, and without them once lab is gone), and `tsc` on a user's `.ts` file. Packing happens in a staged copy of the packages, so the manifest
 * swap never races the other tests, which resolve @kiln/* from this checkout.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const PACKAGES = ["tensor", "nn", "optim", "data", "train", "lab"] as const;
const fixtures = join(import.meta.dirname, "installed");
const versionOf = (name: string): string => (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

/** npm settings a child npm keeps from the npm running this test (where its cache and registry are). */
const KEEP = /^npm_config_(cache|userconfig|registry)$/i;

/** The environment of a child npm/node outside the workspace: nothing else inherited from the npm running this test. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => KEEP.test(k) || !/^npm_|^NODE_OPTIONS$|^INIT_CWD$/i.test(k)));
  return { ...env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false", ...extra };
}

function run(cmd: string, args: string[], cwd: string, env = cleanEnv()): string {
  return execFileSync(cmd, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 180_000 });
}

/**
 * A copy of what packing reads — the packages' manifests, sources, build configs and shipped data files, the shared
 * tsconfigs and the prepack script — with a node_modules of links: @kiln/* to the staged
 * packages, everything else to this checkout's node_modules.
 */
function stage(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const f of ["tsconfig.base.json", "tsconfig.build-base.json", "tsconfig.build.json"]) copyFileSync(join(root, f), join(dir, f));
  cpSync(join(root, "scripts", "pack-manifest.ts"), join(dir, "scripts", "pack-manifest.ts"));
  for (const p of PACKAGES) {
    const from = join(root, "packages", p);
    const shipped = (JSON.parse(readFileSync(join(from, "package.json"), "utf8")) as { files: string[] }).files.filter((f) => f !== "dist" && !f.startsWith("!"));
    for (const f of ["package.json", "tsconfig.build.json", "README.md", ...shipped]) cpSync(join(from, f), join(dir, "packages", p, f), { recursive: true });
    cpSync(join(from, "src"), join(dir, "packages", p, "src"), { recursive: true, filter: (src) => !src.endsWith(".test.ts") });
  }
  const modules = join(dir, "node_modules");
  mkdirSync(join(modules, "@kiln"), { recursive: true });
  for (const name of readdirSync(join(root, "node_modules"))) {
    if (name !== "@kiln") symlinkSync(join(root, "node_modules", name), join(modules, name));
  }
  for (const p of PACKAGES) symlinkSync(join(dir, "packages", p), join(modules, "@kiln", p));
}

interface PackResult {
  name: string;
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string }[];
}

describe("packed packages in a project outside the workspace", () => {
  let tmp: string;
  let project: string;
  const packed: PackResult[] = [];
  const devManifests = new Map<string, string>();

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "kiln-installed-"));
    const staged = join(tmp, "stage");
    stage(staged);
    const tarballs = join(tmp, "tarballs");
    mkdirSync(tarballs);
    for (const p of PACKAGES) {
      const dir = join(staged, "packages", p);
      devManifests.set(p, readFileSync(join(dir, "package.json"), "utf8"));
      const out = run("npm", ["pack", "--json", "--pack-destination", tarballs], dir, cleanEnv({ PATH: `${join(staged, "node_modules", ".bin")}:${process.env.PATH}` }));
      const result = (JSON.parse(out.slice(out.indexOf("[\n"))) as PackResult[])[0]!;
      packed.push(result);
      expect(readFileSync(join(dir, "package.json"), "utf8"), `${p}: postpack restores the development manifest`).toBe(devManifests.get(p));
    }
    console.log(packed.map((r) => `${r.name}: ${r.filename} ${(r.size / 1000).toFixed(1)} kB packed, ${(r.unpackedSize / 1000).toFixed(1)} kB unpacked, ${r.entryCount} files`).join("\n"));

    project = join(tmp, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "uses-kiln", private: true, type: "module" }));
    for (const f of ["train.mjs", "check.ts", "tsconfig.json"]) copyFileSync(join(fixtures, f), join(project, f));
    copyFileSync(join(root, "configs", "train", "sotu-tiny.json"), join(project, "sotu-tiny.json"));
    const deps = [...packed.map((r) => join(tarballs, r.filename)), `typescript@${versionOf("typescript")}`, `@types/node@${versionOf("@types/node")}`];
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", ...deps], project);
  }, 300_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 120_000); // thousands of files under node_modules: slow on a loaded machine

  it("ships compiled JavaScript and declarations, no TypeScript source", () => {
    for (const r of packed) {
      const paths = r.files.map((f) => f.path);
      expect(paths, r.name).toContain("dist/index.js");
      expect(paths, r.name).toContain("dist/index.d.ts");
      expect(paths.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")), r.name).toEqual([]);
      const manifest = JSON.parse(readFileSync(join(project, "node_modules", r.name, "package.json"), "utf8")) as Record<string, unknown>;
      expect(manifest.exports, r.name).toEqual({ ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } });
      expect(manifest.scripts, r.name).toBeUndefined();
    }
  });

  it("trains with plain node, on the WASM kernels and the worker pool", () => {
    const out = run("node", ["train.mjs"], project, cleanEnv({ KILN_THREADS: "2" }));
    const r = JSON.parse(out.trim().split("\n").at(-1)!) as Record<string, number>;
    expect(r.documents).toBeGreaterThan(200); // the SOTU corpus resolved from @kiln/data's dependency
    expect(r.preset).toBe("quick"); // the sweep presets ship inside @kiln/lab
    expect(r.maxErr).toBeLessThan(1e-3);
    expect(r.wasmModules).toBeGreaterThanOrEqual(1);
    expect(r.workersOnline).toBeGreaterThanOrEqual(1);
    expect(r.last!).toBeLessThan(r.first! - 1);
    expect(Number.isFinite(r.evalLoss)).toBe(true);
  }, 120_000);

  it("runs the installed kiln binary without tsx", () => {
    expect(readFileSync(join(project, "node_modules", "@kiln", "train", "dist", "bin.js"), "utf8")).toMatch(/^#!\/usr\/bin\/env node\n/);
    expect(run(join(project, "node_modules", ".bin", "kiln"), ["--help"], project)).toContain("usage: kiln <command>");
    expect(run(join(project, "node_modules", ".bin", "kiln"), ["info", "--config", "sotu-tiny.json"], project)).toMatch(/[\d,]+ parameters/);
  }, 120_000);

  it("runs @kiln/lab's commands through the installed kiln: plan a sweep, count its runs", () => {
    const kiln = join(project, "node_modules", ".bin", "kiln");
    expect(run(kiln, ["scaling", "--help"], project)).toContain("--plan-only");
    const plan = join(project, "sweep");
    expect(run(kiln, ["scaling", "--preset", "quick", "--plan-only", "--out", plan], project).trim().split("\n").at(-1)).toBe(`planned 12 runs in ${plan}; run them with kiln lab run ${plan} --index I (0..11) or --claim`);
    expect(run(kiln, ["lab", "status", plan], project)).toContain("pending  12");
  }, 180_000);

  it("type-checks a user's TypeScript file against the declarations", () => {
    expect(run(join(project, "node_modules", ".bin", "tsc"), ["-p", "."], project)).toBe("");
  }, 120_000);

  it("without @kiln/lab, kiln still lists every command and says where the experiment commands come from", () => {
    const kiln = join(project, "node_modules", ".bin", "kiln");
    const lab = join(project, "node_modules", "@kiln", "lab");
    renameSync(lab, `${lab}.away`);
    try {
      expect(run(kiln, ["--help"], project)).toMatch(/scaling[\s\S]*ablate[\s\S]*lab /);
      let stderr = "";
      try {
        run(kiln, ["scaling", "--preset", "quick"], project);
      } catch (e) {
        stderr = String((e as { stderr: string }).stderr);
      }
      expect(stderr.trim()).toBe("kiln scaling: this command comes with @kiln/lab, which is not installed; install it with npm install @kiln/lab");
    } finally {
      renameSync(`${lab}.away`, lab);
    }
  }, 120_000);
});
