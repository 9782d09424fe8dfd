/**
 * @file Pins the bytes of the runtime's WebAssembly module. Refactoring a kernel's TypeScript (helpers,
 * named calls, the type stack) must not change what it emits; a change that means to change the
 * generated code updates `MODULE_SHA256` in the same commit and says why in its message.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { FUNCTION_NAMES, kernelModuleBytes } from "./module.js";

/** sha256 of `kernelModuleBytes(32768)` (the runtime's MAX_PAGES). Update only for an intended kernel change. */
const MODULE_SHA256 = "dda4fb04abde5e0ff26359d864d359eb7bb17cc05ff7b5ef7844210f99fd0a92";

describe("kernel module", () => {
  it("assembles to the pinned bytes", () => {
    const hash = createHash("sha256").update(kernelModuleBytes(32768)).digest("hex");
    expect(hash).toBe(MODULE_SHA256);
  });

  it("exports every function in FUNCTION_NAMES", () => {
    const wasm = (globalThis as unknown as { WebAssembly: { Module: { new (b: Uint8Array): object; exports(m: object): { name: string }[] } } }).WebAssembly;
    const names = wasm.Module.exports(new wasm.Module(kernelModuleBytes(2))).map((e) => e.name);
    expect(names).toEqual(FUNCTION_NAMES);
  });
});
