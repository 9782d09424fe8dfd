/**
 * @file The registry of differentiable ops. An op can only record a graph node
 * under a name listed here, and the gradcheck suite keys its cases by
 * `Record<DifferentiableOp, ...>`, so an op without a gradient test fails `tsc`
 * (jax-js keys its derivative rules the same way).
 */

/** Names of every op that records an autograd node. */
export const DIFFERENTIABLE_OPS = [
  // unary (ops/unary.ts)
  "neg", "exp", "log", "sqrt", "rsqrt", "abs", "tanh", "sigmoid", "relu", "silu", "gelu", "sin", "cos", "square", "reciprocal",
  "clamp", "round", "floor", "ceil", "sign",
  // binary (ops/binary.ts)
  "add", "sub", "mul", "div", "pow", "maximum", "minimum",
  "where", "to",
  // reductions and scans (ops/reduce.ts, ops/softmax.ts, ops/scan.ts)
  "sum", "max", "min", "logsumexp", "norm", "softmax", "logSoftmax", "cumsum",
  "matmul",
  // views (ops/view.ts)
  "reshape", "permute", "expand", "slice", "select", "unsqueeze", "squeeze", "contiguous",
  // indexing, assembly and rearranging (ops/index-ops.ts, ops/assemble.ts, ops/rearrange.ts)
  "indexSelect", "gather", "scatterAdd", "cat", "tril", "triu", "flip",
  // fused neural-network ops (ops/rms-norm.ts, layer-norm.ts, rope.ts, attention.ts, cross-entropy.ts, embedding.ts, silu-mul.ts)
  "rmsNorm", "layerNorm", "rope", "scaledDotProductAttention", "crossEntropy", "embedding", "siluMul",
] as const;

/** A differentiable op's name. */
export type DifferentiableOp = (typeof DIFFERENTIABLE_OPS)[number];

/**
 * Public ops built from the differentiable ones (their gradients come from
 * their parts); the gradcheck suite covers these too.
 */
export const COMPOSITE_OPS = [
  "mean", "var", "std", "maskedFill", "maskedSelect", "stack", "split", "chunk", "unbind", "repeat", "narrow", "flatten", "view",
  "transpose", "dropout", "sort", "topk", "einsum", "outer",
] as const;

/** A composite op's name. */
export type CompositeOp = (typeof COMPOSITE_OPS)[number];
