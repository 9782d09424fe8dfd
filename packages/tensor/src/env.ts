/**
 * @file kiln's environment variables, read and checked once, here and nowhere else:
 * `KILN_BACKEND` (`js` forces the JS kernels), `KILN_THREADS` (kernel threads), `KILN_POOL_MB`
 * (memory pool budget), `KILN_WASM_STORAGE=0` (float32 storage outside the wasm heap),
 * `KILN_POOL_POISON=1` (fill freed blocks with NaN), `KILN_POOL_GC=0` (no forced collections).
 */
import { availableParallelism } from "node:os";

/** The settings the environment gives (undefined: not set, use the default). */
export interface KilnEnv {
  backend: "js" | "wasm";
  threads: number | undefined;
  poolBytes: number | undefined;
  wasmStorage: boolean;
  poolPoison: boolean;
  poolGc: boolean;
}

function positive(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!(n > 0) || (integer && !Number.isInteger(n))) throw new RangeError(`${name} must be a positive ${integer ? "integer" : "number"}, got "${value}"`);
  return n;
}

/** Parses kiln's variables from `env`; a malformed value is a one-line error naming the variable. */
export function readEnv(env: Record<string, string | undefined> = process.env): KilnEnv {
  const backend = env["KILN_BACKEND"];
  if (backend !== undefined && backend !== "" && backend !== "js" && backend !== "wasm") {
    throw new RangeError(`KILN_BACKEND must be "js" or "wasm", got "${backend}"`);
  }
  const mb = positive("KILN_POOL_MB", env["KILN_POOL_MB"], false);
  return {
    backend: backend === "js" ? "js" : "wasm",
    threads: positive("KILN_THREADS", env["KILN_THREADS"], true),
    poolBytes: mb === undefined ? undefined : mb * 2 ** 20,
    wasmStorage: env["KILN_WASM_STORAGE"] !== "0",
    poolPoison: env["KILN_POOL_POISON"] === "1",
    poolGc: env["KILN_POOL_GC"] !== "0",
  };
}

/** The environment as read when @kiln/tensor was first imported. */
export const ENV: Readonly<KilnEnv> = Object.freeze(readEnv());

/** Kernel threads by default: `KILN_THREADS` if set, else `os.availableParallelism()`. */
export function defaultThreads(env: Readonly<KilnEnv> = ENV): number {
  return env.threads ?? availableParallelism();
}
