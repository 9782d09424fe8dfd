/**
 * @file The public API of @kiln/nn, snapshotted so changes show up in review.
 */
import { expect, it } from "vitest";
import * as nn from "./index.js";

it("exports exactly this API", () => {
  expect(Object.keys(nn).sort()).toMatchInlineSnapshot(`
    [
      "Attention",
      "Dropout",
      "Embedding",
      "GeluMLP",
      "HF_NAMES",
      "KVCache",
      "KVSlot",
      "LayerNorm",
      "Linear",
      "Llama",
      "Module",
      "Parameter",
      "RMSNorm",
      "RotaryEmbedding",
      "SwiGLU",
      "TransformerBlock",
      "calculateGain",
      "constant_",
      "fans",
      "fromHfName",
      "generate",
      "kaimingNormal_",
      "kaimingUniform_",
      "llamaConfig",
      "makeNorm",
      "normal_",
      "ones_",
      "permuteHfToMeta",
      "permuteMetaToHf",
      "sampleNext",
      "swigluHiddenSize",
      "toHfConfig",
      "toHfName",
      "uniform_",
      "xavierNormal_",
      "xavierUniform_",
      "zeros_",
    ]
  `);
});
