/**
 * @file @kiln/tensor's public API: tensors, creation, ops, autograd, RNG,
 * safetensors I/O. Importing this module attaches Tensor's fluent methods.
 */
import "./methods.js";

export { Tensor } from "./tensor.js";
export type { NestedNumbers, TensorMethods } from "./methods.js";
export { Storage } from "./storage.js";
export { DTYPES, isFloat, promoteTypes, type DType, type FloatDType, type DataTypeMap, type TypedArray, type Promote, type FloatOf, type Arith } from "./dtype.js";
export { broadcastShapes, numelOf, contiguousStrides, type Shape } from "./shape.js";
export {
  tensor, zeros, ones, full, zerosLike, onesLike, fullLike, arange, linspace, eye, rand, randn, randint,
  type TensorOptions, type RandomOptions, type NestedArray,
} from "./creation.js";
export { Generator, defaultGenerator, manualSeed, type GeneratorState } from "./random/generator.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./autograd/grad-mode.js";
export { backward, type BackwardOptions } from "./autograd/backward.js";
export { freeWithGraph } from "./autograd/activations.js";
export { gradcheck, type GradcheckOptions } from "./autograd/gradcheck.js";
export { record, Node, type BackwardFn } from "./autograd/node.js";
export { customOp, OpContext, type CustomOpDefinition } from "./autograd/custom-op.js";
export { DIFFERENTIABLE_OPS, COMPOSITE_OPS, type DifferentiableOp, type CompositeOp } from "./ops/registry.js";
export { neg, exp, log, sqrt, rsqrt, abs, tanh, sigmoid, relu, silu, gelu, sin, cos, square, reciprocal, clamp, round, floor, ceil, sign } from "./ops/unary.js";
export { add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, le, gt, ge, where, type ArithResult } from "./ops/binary.js";
export {
  sum, mean, max, min, argmax, argmin, variance as var, std, norm, logsumexp, sumTo, type Dims, type ReduceOptions, type VarOptions, type NormOptions,
} from "./ops/reduce.js";
export { cumsum } from "./ops/scan.js";
export { isnan, isinf, isfinite, any, all } from "./ops/logical.js";
export { sort, argsort, topk, type SortOptions, type TopkOptions, type ValuesIndices } from "./ops/sort.js";
export { multinomial, type MultinomialOptions } from "./ops/multinomial.js";
export { einsum, outer } from "./ops/einsum.js";
export { flip, repeat, unbind } from "./ops/rearrange.js";
export { softmax, logSoftmax } from "./ops/softmax.js";
export { matmul } from "./ops/matmul.js";
export { reshape, view, flatten, permute, transpose, expand, slice, narrow, select, unsqueeze, squeeze, contiguous } from "./ops/view.js";
export { indexSelect, gather, scatterAdd } from "./ops/index-ops.js";
export { cat, stack, split, chunk, tril, triu } from "./ops/assemble.js";
export { maskedFill, maskedSelect } from "./ops/mask.js";
export { to } from "./ops/cast.js";
export type { TensorLike } from "./ops/util.js";
export { formatTensor } from "./format.js";
export { memoryStats, setPoolBudget, type MemoryStats } from "./memory/pool.js";
export { getBackend, getThreads, setBackend, setThreads, warmUpThreads, type Backend } from "./kernels/matmul.js";
export { adamwUpdateAll, sumOfSquares, type AdamWTensor } from "./kernels/optim.js";
export { persistentFloat32 } from "./runtime/wasm.js";
export { writeFileAtomic, writeFileDurable, fsyncDir } from "./io/atomic.js";
export { serializeSafetensors, parseSafetensors, saveSafetensors, loadSafetensors, type SafetensorsContents } from "./io/safetensors.js";
export { rmsNorm } from "./ops/rms-norm.js";
export { layerNorm } from "./ops/layer-norm.js";
export { rope, rotaryTables } from "./ops/rope.js";
export { scaledDotProductAttention, type AttentionOptions } from "./ops/attention.js";
export { crossEntropy, type CrossEntropyOptions } from "./ops/cross-entropy.js";
export { embedding } from "./ops/embedding.js";
export { dropout } from "./ops/dropout.js";
export { siluMul } from "./ops/silu-mul.js";
