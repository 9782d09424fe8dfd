/**
 * @file Runs every ```ts block of the README (and of each package README)
 * with tsx, so the examples users copy first stay true; where a block marks
 * lines with `// → text`, what it prints must be exactly those texts, in order.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const readmes = ["README.md", "packages/tensor/README.md", "packages/nn/README.md", "packages/optim/README.md", "packages/data/README.md", "packages/train/README.md", "packages/lab/README.md"]
  .filter((f) => existsSync(join(root, f)));

function blocks(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe("README examples run", () => {
  for (const file of readmes) {
    blocks(readFileSync(join(root, file), "utf8")).forEach((code, i) => {
      it(`${file} block ${i + 1}`, () => {
        const dir = join(root, ".cache", "readme");
        mkdirSync(dir, { recursive: true });
        const path = join(dir, `${file.replace(/\W+/g, "-")}-${i + 1}.ts`);
        writeFileSync(path, code);
        try {
          const out = execFileSync(join(root, "node_modules", ".bin", "tsx"), [path], { cwd: root, encoding: "utf8", timeout: 120_000 });
          expect(out.length).toBeGreaterThan(0);
          const promised = [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1]!.trim());
          if (promised.length > 0) expect(out.trimEnd().split("\n")).toEqual(promised);
        } finally {
          rmSync(path, { force: true });
        }
      });
    });
  }
});
