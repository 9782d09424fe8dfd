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
  "clamp",
  // binary (ops/binary.ts)
  "add", "sub", "mul", "div", "pow", "maximum", "minimum",
  "where", "to",
  // reductions (ops/reduce.ts, ops/softmax.ts)
  "sum", "max", "min", "logsumexp", "softmax", "logSoftmax",
  "matmul",
  // views (ops/view.ts)
  "reshape", "permute", "expand", "slice", "select", "unsqueeze", "squeeze", "contiguous",
  // indexing and assembly (ops/index-ops.ts, ops/assemble.ts)
  "indexSelect", "gather", "scatterAdd", "cat", "tril", "triu",
  // fused neural-network ops (ops/rms-norm.ts, layer-norm.ts, rope.ts, attention.ts, cross-entropy.ts, embedding.ts, silu-mul.ts)
  "rmsNorm", "layerNorm", "rope", "scaledDotProductAttention", "crossEntropy", "embedding", "siluMul",
] as const;

/** A differentiable op's name. */
export type DifferentiableOp = (typeof DIFFERENTIABLE_OPS)[number];

/**
 * Public ops built from the differentiable ones (their gradients come from
 * their parts); the gradcheck suite covers these too.
 */
export const COMPOSITE_OPS = ["mean", "var", "maskedFill", "stack", "split", "chunk", "narrow", "flatten", "view", "transpose", "dropout"] as const;

/** A composite op's name. */
export type CompositeOp = (typeof COMPOSITE_OPS)[number];
