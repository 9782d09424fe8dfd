/**
 * @file @kiln/nn's public API: Module & Parameter, initialisers, layers,
 * rotary embeddings, attention with a KV cache, the LLaMA model and generation.
 */
export { Module, type ModuleOptions, type NumParametersOptions, type LoadStateDictOptions, type LoadStateDictResult, type BufferOptions } from "./module.js";
export { Parameter } from "./parameter.js";
export {
  normal_, uniform_, constant_, zeros_, ones_, xavierUniform_, xavierNormal_, kaimingUniform_, kaimingNormal_, calculateGain, fans,
  type KaimingOptions,
} from "./init.js";
export { Linear, type LinearOptions } from "./linear.js";
export { Embedding } from "./embedding.js";
export { RMSNorm } from "./rms-norm.js";
export { LayerNorm } from "./layer-norm.js";
export { Dropout } from "./dropout.js";
export { SwiGLU, swigluHiddenSize } from "./swiglu.js";
export { GeluMLP } from "./gelu-mlp.js";
export { RotaryEmbedding, permuteMetaToHf, permuteHfToMeta } from "./rotary.js";
export { KVCache, KVSlot } from "./kv-cache.js";
export { Attention } from "./attention.js";
export { TransformerBlock, makeNorm } from "./block.js";
export { llamaConfig, toHfConfig, type LlamaConfig, type LlamaConfigInput } from "./config.js";
export { closest } from "./did-you-mean.js";
export { HF_NAMES, toHfName, fromHfName } from "./hf-names.js";
export { Llama, type LlamaOptions, type LlamaForwardOptions, type LlamaOutput } from "./llama.js";
export { generate, sampleNext, type GenerateOptions, type SamplingOptions } from "./generate.js";
export { saveHf, loadHf, type HfTokenizerWriter, type LoadHfOptions, type SaveHfOptions } from "./interop/hf.js";
export { configFromHf, hfConfigJson } from "./interop/hf-config.js";
export {
  loadLlama2c, saveLlama2c, parseLlama2c, serializeLlama2c, llamaFromLlama2c, LLAMA2C_RMS_NORM_EPS, LLAMA2C_ROPE_THETA,
  type Llama2cCheckpoint, type Llama2cExportOptions,
} from "./interop/llama2c.js";
export { parseLlama2cHeader, type Llama2cHeader } from "./interop/llama2c-format.js";
