/**
 * @file Every package's public API — each name its src/index.ts exports, value
 * or type — snapshotted in test/__snapshots__/exports.test.ts.snap, so an API
 * change shows up in review. After an intended change: `npx vitest run
 * test/exports.test.ts -u` and commit the snapshot.
 */
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const PACKAGES = ["tensor", "nn", "optim", "data", "train", "lab"] as const;

/** `name` for values (`class`, `function`, `const`, `namespace` for `export * as`), `type name` for declarations with no runtime value. */
function exportList(program: ts.Program, file: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (source === undefined) throw new Error(`exports: ${file} is not in the program`);
  const module = checker.getSymbolAtLocation(source)!;
  return checker
    .getExportsOfModule(module)
    .map((s) => {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      const kind =
        target.flags & ts.SymbolFlags.Class ? "class" :
        target.flags & ts.SymbolFlags.Function ? "function" :
        target.flags & ts.SymbolFlags.Variable ? "const" :
        target.flags & ts.SymbolFlags.Enum ? "enum" :
        target.flags & ts.SymbolFlags.ValueModule ? "namespace" : "type";
      return `${kind} ${s.name}`;
    })
    .sort((a, b) => a.split(" ")[1]!.localeCompare(b.split(" ")[1]!));
}

describe("public API of each package", () => {
  const files = PACKAGES.map((p) => join(root, "packages", p, "src", "index.ts"));
  const config = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.base.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const program = ts.createProgram(files, config.options);
  PACKAGES.forEach((p, i) => {
    it(`@kiln/${p}`, async () => {
      const listed = exportList(program, files[i]!);
      expect(listed).toMatchSnapshot();
      // the values the checker lists are exactly what the module exports at run time
      const runtime = Object.keys((await import(`@kiln/${p}`)) as object).sort();
      expect(listed.filter((e) => !e.startsWith("type ")).map((e) => e.split(" ")[1]).sort()).toEqual(runtime);
    });
  });
});
