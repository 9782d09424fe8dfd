/**
 * @file One comparison for a Hugging Face model directory against what
 * transformers computed on it (logits of fixed input ids, greedy ids), shared
 * by the fixture test and the live `npm run interop:hf` script.
 */
import { noGrad, tensor } from "@kiln/tensor";
import { generate, type Llama } from "../src/index.js";

/** What transformers computed: logits of `input_ids` (flat, row-major) and greedy ids from `greedy_prompt`. */
export interface HfExpectation {
  input_ids: number[][];
  greedy_prompt: number[];
  greedy_ids: number[];
  logits: ArrayLike<number>;
}

/** How kiln's model compares: max |Δlogit|, the same relative to max |logit|, and kiln's greedy ids. */
export interface HfComparison {
  maxAbs: number;
  maxRel: number;
  greedy: number[];
  greedySame: boolean;
}

/** kiln's logits for `ids` (float32, flat). */
export function kilnLogits(model: Llama, ids: number[][]): Float32Array {
  return noGrad(() => model.eval().forward(tensor(ids, { dtype: "int32" })).logits.contiguous().data) as Float32Array;
}

/** Compares `model` with transformers' numbers (greedy decoding without an EOS stop, as the Python side decodes). */
export function compareWithHf(model: Llama, want: HfExpectation): HfComparison {
  const got = kilnLogits(model, want.input_ids);
  if (got.length !== want.logits.length) throw new Error(`compareWithHf: ${got.length} logits, expected ${want.logits.length}`);
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < got.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(got[i]! - want.logits[i]!));
    scale = Math.max(scale, Math.abs(want.logits[i]!));
  }
  const newTokens = want.greedy_ids.length - want.greedy_prompt.length;
  const greedy = generate(model, want.greedy_prompt, { maxNewTokens: newTokens, temperature: 0, eosTokenId: null });
  return { maxAbs, maxRel: maxAbs / scale, greedy, greedySame: greedy.join() === want.greedy_ids.join() };
}
