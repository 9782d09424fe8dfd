/**
 * @file Lesson 1 — tensors: creating them, what a view is (shape, strides,
 * offset over shared storage), NumPy broadcasting, reductions, printing.
 * Run: `npx tsx packages/notebooks/01-tensors.ts`.
 */
import { Generator, arange, broadcastShapes, linspace, ones, randn, tensor, zeros, type Tensor } from "@kiln/tensor";
import { plotSvg } from "@kiln/lab";
import { asciiChart } from "./lib/ascii-chart.js";
import { byMode, lesson, maxAbsDiff } from "./lib/notebook.js";

const L = lesson("01-tensors", "Lesson 1 · Tensors: creation, views, broadcasting, printing");

// A tensor is a typed array plus the bookkeeping that says how to read it as
// an n-dimensional grid. Everything in kiln — models, gradients, optimizer
// state — is made of them. Printing follows PyTorch's layout.

L.cell("Creating tensors");
const a = arange(12).reshape([3, 4]); // integers → int32, as in PyTorch
const z = zeros([2, 3]);
const w = tensor([[1.5, -2], [0.25, 4]]); // plain numbers → float32
console.log(`${a}\n${z}\n${w}\n${linspace(0, 1, 5)}`);
console.log(`dtypes: arange → ${a.dtype}, zeros → ${z.dtype}, tensor([[1.5, …]]) → ${w.dtype}, a.to("float64") → ${a.to("float64").dtype}`);

// Random tensors come from a seeded Generator: the same seed gives the same numbers.
const r1 = randn([2, 3], { generator: new Generator(42) });
const r2 = randn([2, 3], { generator: new Generator(42) });
console.log(`${r1}\nsame seed twice → max |difference| = ${maxAbsDiff(r1.data, r2.data)}`);

L.cell("Shape, strides, offset: how a grid sits in flat memory");
// Element (i, j) of `a` lives at storage index offset + i·strides[0] + j·strides[1].
console.log(`a.shape = ${shp(a.shape)}, a.strides = ${shp(a.strides)}, a.offset = ${a.offset}`);
const flat = a.storage.data;
const [i, j] = [2, 1];
const byHand = flat[a.offset + i * a.strides[0]! + j * a.strides[1]!];
console.log(`a[${i}][${j}] by the stride formula = ${byHand}; by toArray() = ${(a.toArray() as number[][])[i]![j]}`);

L.cell("Views share storage: transpose, slice, select cost nothing");
// A view is a new (shape, strides, offset) over the *same* storage. No copy.
const at = a.t(); // (4, 3): strides swapped
const col = a.select(1, 2); // column 2: shape [3], stride 4
const mid = a.slice(1, 1, 3); // columns 1..2: offset 1
for (const [name, v] of [["a.t()", at], ["a.select(1, 2)", col], ["a.slice(1, 1, 3)", mid]] as const) {
  console.log(`${name.padEnd(17)} shape ${shp(v.shape)} strides ${shp(v.strides)} offset ${v.offset} contiguous ${v.isContiguous} shares storage ${v.storage === a.storage}`);
}
// Writing through a view writes into `a`.
const before = (a.toArray() as number[][])[1]![2];
col.fill_(-1);
console.log(`after col.fill_(-1): a[1][2] went from ${before} to ${(a.toArray() as number[][])[1]![2]}\n${a}`);
// `.contiguous()` on a non-contiguous view makes a packed copy, which no longer aliases `a`.
const packed = at.contiguous();
console.log(`at.contiguous(): strides ${shp(packed.strides)}, shares storage with a: ${packed.storage === a.storage}`);

L.cell("Broadcasting: shapes line up from the right; size-1 dims stretch");
// Rules (NumPy's): compare shapes from the last dim; sizes must be equal or one
// of them 1; a missing dim counts as 1. A (3, 1) column plus a (4,) row → (3, 4).
const rows = arange(1, 4).reshape([3, 1]);
const cols = arange(1, 5);
const table = rows.mul(cols);
console.log(`broadcastShapes("mul", [3, 1], [4]) = ${shp(broadcastShapes("mul", [3, 1], [4]))}\nmultiplication table:\n${table}`);
// `expand` is broadcasting made explicit: stride 0 repeats without memory.
const stretched = rows.expand([3, 4]);
console.log(`rows.expand([3, 4]) strides ${shp(stretched.strides)} — ${stretched.numel} elements backed by ${rows.numel} numbers`);
// Shapes that do not line up give an error naming the op and both shapes.
try {
  ones([3]).add(ones([2]));
} catch (e) {
  console.log(`ones([3]).add(ones([2])) → ${(e as Error).message}`);
}

L.cell("Reductions over a dim, and keepdim for broadcasting back");
// Standardise each row of a random matrix: subtract the row mean, divide by the row std.
// keepdim keeps the reduced dim as size 1, so the (R, 1) statistics broadcast against (R, C).
const x = randn([4, 6], { generator: new Generator(0) }).mul(3).add(5);
const mean = x.mean(1, { keepdim: true }); // (4, 1)
const std = x.var(1, { keepdim: true }).sqrt(); // (4, 1)
const zs = x.sub(mean).div(std);
const rowMeans = zs.mean(1).toArray() as number[];
const rowVars = zs.var(1).toArray() as number[];
console.log(`row means of x: ${fmt(x.mean(1))}; row variances: ${fmt(x.var(1))}`);
console.log(`after standardising: largest |row mean| = ${Math.max(...rowMeans.map(Math.abs)).toExponential(1)}, row variances ${rowVars.map((v) => v.toFixed(4)).join(", ")}`);
console.log(`sum over everything = ${x.sum().item().toFixed(3)}; over dim 0 → shape ${shp(x.sum(0).shape)}; argmax of each row = ${shp(x.argmax(1).toArray() as number[])}`);

L.cell("Printing big tensors, and getting numbers out");
// Large tensors are summarised like PyTorch's; toArray() and item() return plain JS values.
const big = randn([50, 80], { generator: new Generator(1) });
console.log(`${big}\nbig.shape ${shp(big.shape)}, big.numel ${big.numel}, big.max().item() = ${big.max().item().toFixed(4)}`);

L.cell("A picture: a whole function at once");
// Elementwise ops apply to every element; here y = sin(x)·e^(−x/4) on a grid of x.
const n = byMode({ fast: 64, default: 200 });
const xs = linspace(0, 4 * Math.PI, n);
const ys = xs.sin().mul(xs.mul(-0.25).exp());
const pts = zip(xs, ys);
console.log(asciiChart([{ name: "sin(x)·exp(−x/4)", points: pts }], { xLabel: "x", height: 12 }));
const peak = pts.reduce((m, p) => (p[1] > m[1] ? p : m));
console.log(`the curve peaks at x = ${peak[0].toFixed(3)} (y = ${peak[1].toFixed(3)}); calculus says x = atan(4) = ${Math.atan(4).toFixed(3)}`);
L.write("damped-sine.svg", plotSvg({ title: "y = sin(x)·exp(−x/4)", x: { label: "x" }, y: { label: "y" }, series: [{ name: "y", points: pts }] }));

L.done();

function zip(x: Tensor, y: Tensor): [number, number][] {
  const [xv, yv] = [x.toArray() as number[], y.toArray() as number[]];
  return xv.map((v, k) => [v, yv[k]!]);
}

function shp(s: readonly number[]): string {
  return `[${s.join(", ")}]`;
}

function fmt(t: Tensor): string {
  return (t.toArray() as number[]).map((v) => v.toFixed(3)).join(", ");
}
