/**
 * @file Printing tensors the way PyTorch does:
 * `tensor([[1.0000, 2.0000], ...], dtype=float64, grad_fn=<MatmulBackward>)`,
 * with a shared number format per tensor and `...` past 1000 elements.
 */
import { isFloat } from "./dtype.js";
import type { Tensor } from "./tensor.js";

const THRESHOLD = 1000;
const EDGE = 3;
const PRECISION = 4;
const LINE_WIDTH = 80;

/** The indices printed along a dim of size `n` (all, or the first and last EDGE). */
function shownIndices(n: number, summarize: boolean): (number | null)[] {
  if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: EDGE }, (_, i) => i), null, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)];
}

function makeFormatter(t: Tensor, values: number[]): (v: number) => string {
  if (t.dtype === "bool") return (v) => (v ? "true" : "false");
  if (!isFloat(t.dtype)) return (v) => String(v);
  const finite = values.filter(Number.isFinite);
  const abs = finite.map(Math.abs).filter((v) => v > 0);
  const allInts = finite.every(Number.isInteger);
  const maxAbs = Math.max(0, ...abs);
  const minAbs = Math.min(Infinity, ...abs);
  const special = (v: number) => (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
  if (allInts && maxAbs < 1e8) return (v) => (Number.isFinite(v) ? `${v.toFixed(0)}.` : special(v));
  if (maxAbs >= 1e8 || minAbs < 1e-4 || maxAbs / minAbs > 1e3) {
    return (v) => (Number.isFinite(v) ? v.toExponential(PRECISION).replace(/e([+-])(\d)$/, "e$10$2") : special(v));
  }
  return (v) => (Number.isFinite(v) ? v.toFixed(PRECISION) : special(v));
}

/** The bracketed body of `t`'s printout (no `tensor(...)` wrapper). */
export function formatData(t: Tensor, indent = 7): string {
  if (t.numel === 0) return "[]";
  const summarize = t.numel > THRESHOLD;
  const data = t.storage.data;
  const read = (idx: number[]) => data[t.offset + idx.reduce((s, v, d) => s + v * t.strides[d]!, 0)]!;
  // collect the shown values first, so one format (and width) fits them all
  const values: number[] = [];
  const visit = (prefix: number[], dim: number) => {
    if (dim === t.ndim) return void values.push(read(prefix));
    for (const i of shownIndices(t.shape[dim]!, summarize)) if (i !== null) visit([...prefix, i], dim + 1);
  };
  visit([], 0);
  const fmt = makeFormatter(t, values);
  const width = Math.max(1, ...values.map((v) => fmt(v).length));
  const cell = (v: number) => fmt(v).padStart(width);
  if (t.ndim === 0) return fmt(read([]));
  const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (width + 2)));
  const render = (prefix: number[], dim: number): string => {
    const pad = " ".repeat(indent + dim + 1);
    const idx = shownIndices(t.shape[dim]!, summarize);
    if (dim === t.ndim - 1) {
      const cells = idx.map((i) => (i === null ? "..." : cell(read([...prefix, i]))));
      const lines: string[] = [];
      for (let k = 0; k < cells.length; k += perLine) lines.push(cells.slice(k, k + perLine).join(", "));
      return `[${lines.join(`,\n${pad}`)}]`;
    }
    const sep = `,${"\n".repeat(t.ndim - dim - 1)}${pad}`;
    return `[${idx.map((i) => (i === null ? "..." : render([...prefix, i], dim + 1))).join(sep)}]`;
  };
  return render([], 0);
}

/** `tensor([...], dtype=..., grad_fn=<...>)`, as `repr(torch_tensor)` prints. */
export function formatTensor(t: Tensor): string {
  const parts = [formatData(t)];
  if (t.numel === 0 && t.ndim !== 1) parts.push(`size=[${t.shape.join(", ")}]`);
  if (t.dtype !== "float32" && t.dtype !== "bool") parts.push(`dtype=${t.dtype}`);
  if (t.gradFn !== null) {
    const name = t.gradFn.name;
    parts.push(`grad_fn=<${name[0]!.toUpperCase()}${name.slice(1)}Backward>`);
  } else if (t.requiresGrad) parts.push("requires_grad=true");
  return `tensor(${parts.join(", ")})`;
}

