/**
 * @file Lesson 2 — autograd: a micrograd-sized scalar engine to build the
 * intuition, the same expression in kiln, gradients worked out by hand, finite
 * differences (and why they need float64), then `gradcheck`, and your own
 * differentiable op (`customOp`) checked by it.
 * Run: `npx tsx packages/notebooks/02-autograd.ts`.
 */
import { Generator, customOp, gradcheck, noGrad, randn, tensor, type Tensor } from "@kiln/tensor";
import { plotSvg } from "@kiln/lab";
import { asciiChart } from "./lib/ascii-chart.js";
import { byMode, lesson, maxAbsDiff } from "./lib/notebook.js";

const L = lesson("02-autograd", "Lesson 2 · Autograd: from a scalar engine to gradcheck");

// Reverse-mode autograd records every operation as it runs (a graph of nodes),
// then walks that graph backwards applying the chain rule. micrograd (Karpathy)
// shows the whole idea on scalars; kiln does the same on tensors.

L.cell("A scalar autograd engine in 40 lines");
// Each Value remembers its parents and a closure that pushes its gradient to them.
class Value {
  grad = 0;
  backwardStep: () => void = () => {};
  constructor(public data: number, readonly parents: Value[] = [], readonly op = "") {}
  add(o: Value | number): Value {
    const other = o instanceof Value ? o : new Value(o);
    const out = new Value(this.data + other.data, [this, other], "+");
    out.backwardStep = () => { this.grad += out.grad; other.grad += out.grad; }; // d(a+b) = da + db
    return out;
  }
  mul(o: Value | number): Value {
    const other = o instanceof Value ? o : new Value(o);
    const out = new Value(this.data * other.data, [this, other], "*");
    out.backwardStep = () => { this.grad += other.data * out.grad; other.grad += this.data * out.grad; }; // d(ab) = b·da + a·db
    return out;
  }
  tanh(): Value {
    const t = Math.tanh(this.data);
    const out = new Value(t, [this], "tanh");
    out.backwardStep = () => { this.grad += (1 - t * t) * out.grad; }; // d tanh = (1 − tanh²)
    return out;
  }
  backward(): void {
    // topological order, built iteratively (a recursive walk overflows the stack on long graphs)
    const order: Value[] = [];
    const seen = new Set<Value>();
    const stack: [Value, boolean][] = [[this, false]];
    while (stack.length > 0) {
      const [v, expanded] = stack.pop()!;
      if (expanded) { order.push(v); continue; }
      if (seen.has(v)) continue;
      seen.add(v);
      stack.push([v, true], ...v.parents.map((p) => [p, false] as [Value, boolean]));
    }
    this.grad = 1;
    for (const v of order.reverse()) v.backwardStep();
  }
}

// One neuron: o = tanh(w1·x1 + w2·x2 + b)
const [x1, x2, w1, w2, b] = [2, -1, -0.5, 0.75, 0.3].map((v) => new Value(v)) as [Value, Value, Value, Value, Value];
const o = w1.mul(x1).add(w2.mul(x2)).add(b).tanh();
o.backward();
console.log(`o = ${o.data.toFixed(6)}`);
console.log(`engine:  do/dw1 = ${w1.grad.toFixed(6)}, do/dw2 = ${w2.grad.toFixed(6)}, do/db = ${b.grad.toFixed(6)}, do/dx1 = ${x1.grad.toFixed(6)}`);

L.cell("The same gradients by hand (chain rule)");
// o = tanh(z) with z = w1·x1 + w2·x2 + b, so do/dw1 = (1 − o²)·x1, do/db = (1 − o²), do/dx1 = (1 − o²)·w1.
const dz = 1 - o.data ** 2;
const hand = { w1: dz * x1.data, w2: dz * x2.data, b: dz, x1: dz * w1.data };
console.log(`by hand: do/dw1 = ${hand.w1.toFixed(6)}, do/dw2 = ${hand.w2.toFixed(6)}, do/db = ${hand.b.toFixed(6)}, do/dx1 = ${hand.x1.toFixed(6)}`);
console.log(`largest engine − hand difference: ${maxAbsDiff([w1.grad, w2.grad, b.grad, x1.grad], [hand.w1, hand.w2, hand.b, hand.x1]).toExponential(1)}`);

L.cell("The same neuron in kiln");
// kiln records the graph on tensors instead of scalars; `.backward()` fills `.grad` on the leaves.
const tx = tensor([2, -1], { dtype: "float64" });
const tw = tensor([-0.5, 0.75], { dtype: "float64", requiresGrad: true });
const tb = tensor(0.3, { dtype: "float64", requiresGrad: true });
const to = tx.mul(tw).sum().add(tb).tanh();
console.log(`${to}`); // note grad_fn: the node that made it
to.backward();
console.log(`kiln:    do/dw = ${tw.grad}, do/db = ${tb.grad!.item().toFixed(6)}`);
console.log(`largest kiln − engine difference: ${maxAbsDiff([...(tw.grad!.data as Float64Array), tb.grad!.item()], [w1.grad, w2.grad, b.grad]).toExponential(1)}`);

L.cell("Fan-out: a value used twice gets both gradients (+=, not =)");
// f(x) = x·x + x, so df/dx = 2x + 1. If backward assigned instead of accumulating, one path would be lost.
const sx = new Value(3);
sx.mul(sx).add(sx).backward();
const kx = tensor(3, { dtype: "float64", requiresGrad: true });
kx.mul(kx).add(kx).backward();
console.log(`f(x) = x·x + x at x = 3: engine ${sx.grad}, kiln ${kx.grad!.item()}, by hand 2·3 + 1 = ${2 * 3 + 1}`);

L.cell("Finite differences, and why gradcheck wants float64");
// The numerical derivative (f(x+h) − f(x−h)) / 2h has truncation error ~h² (too big h)
// and rounding error ~ε/h (too small h). ε is 1.1e-16 in float64 but 6e-8 in float32.
const f = (x: number) => Math.tanh(x) * x;
const fPrime = (x: number) => Math.tanh(x) + x * (1 - Math.tanh(x) ** 2);
const f32 = (x: number) => Math.fround(Math.fround(Math.tanh(Math.fround(x))) * Math.fround(x));
const x0 = 0.7;
const nh = byMode({ fast: 12, default: 31 });
const hs = Array.from({ length: nh }, (_, k) => 10 ** (-1 - (10 * k) / (nh - 1))); // 1e-1 … 1e-11
const errorAt = (g: (x: number) => number, round: (x: number) => number, h: number): [number, number] | null => {
  const [xp, xm] = [round(x0 + h), round(x0 - h)]; // the points actually representable in this precision
  if (xp === xm) return null; // the step vanished below the precision
  return [h, Math.abs(round((g(xp) - g(xm)) / (xp - xm)) - fPrime(x0)) || 1e-17];
};
const err64 = hs.map((h) => errorAt(f, (x) => x, h)).filter((p) => p !== null);
const err32 = hs.map((h) => errorAt(f32, Math.fround, h)).filter((p) => p !== null);
console.log(asciiChart([{ name: "float64", points: err64 }, { name: "float32", points: err32 }], { logX: true, logY: true, xLabel: "step h", yLabel: "|error| of the derivative", height: 12 }));
const best = (pts: [number, number][]) => pts.reduce((m, p) => (p[1] < m[1] ? p : m));
const [b64, b32] = [best(err64), best(err32)];
console.log(`best float64 step h = ${b64[0].toExponential(0)} (error ${b64[1].toExponential(1)}); best float32 step h = ${b32[0].toExponential(0)} (error ${b32[1].toExponential(1)})`);
console.log(`so float32 finite differences are ~${(b32[1] / b64[1]).toExponential(0)}× less accurate: too coarse to check a gradient to 1e-5.`);
L.write("finite-differences.svg", plotSvg({ title: "Central-difference error vs step", x: { label: "step h", log: true }, y: { label: "|error| of the derivative", log: true }, series: [{ name: "float64", points: err64 }, { name: "float32", points: err32 }] }));

L.cell("A vector gradient by hand, then gradcheck");
// f(x) = Σ tanh(xᵢ)·xᵢ, so ∂f/∂xᵢ = tanh(xᵢ) + xᵢ·(1 − tanh²(xᵢ)).
const xv = randn([6], { dtype: "float64", generator: new Generator(0), requiresGrad: true });
xv.tanh().mul(xv).sum().backward();
const byHand = (xv.toArray() as number[]).map(fPrime);
console.log(`autograd: ${fmt(xv.grad!)}\nby hand:  ${byHand.map((v) => v.toFixed(6)).join(", ")}`);
console.log(`largest difference: ${maxAbsDiff(xv.grad!.data as Float64Array, byHand).toExponential(1)}`);
// gradcheck compares every Jacobian entry of a function's autograd gradient with finite
// differences (float64, h = 1e-6). Here a small layer: softmax(x·W)·x over two inputs.
const gen = new Generator(1);
const X = randn([3, 4], { dtype: "float64", generator: gen, requiresGrad: true });
const W = randn([4, 4], { dtype: "float64", generator: gen, requiresGrad: true });
const layer = (a: Tensor, w: Tensor) => a.matmul(w).softmax(-1).mul(a).sum(1);
console.log(`gradcheck(softmax(x·W)·x summed per row, [X (3×4), W (4×4)]) → ${gradcheck(layer, [X, W])}`);
try {
  gradcheck(layer, [X.to("float32").detach().requiresGrad_(), W.to("float32")]);
} catch (e) {
  console.log(`on float32 inputs it refuses: ${(e as Error).message}`);
}

L.cell("Catching a wrong backward");
// A bug gradcheck exists to catch: tanh's backward forgetting the chain-rule factor out.grad.
const buggyTanh = (v: Value): Value => {
  const t = Math.tanh(v.data);
  const out = new Value(t, [v], "tanh");
  out.backwardStep = () => { v.grad += 1 - t * t; }; // BUG: should be (1 − t²) · out.grad
  return out;
};
const check = (fn: (v: Value) => Value, at: number) => {
  const v = new Value(at);
  fn(v).backward();
  const h = 1e-6;
  const numeric = (fn(new Value(at + h)).data - fn(new Value(at - h)).data) / (2 * h);
  return { analytic: v.grad, numeric };
};
for (const [name, fn] of [["correct", (v: Value) => v.tanh().mul(3)], ["buggy", (v: Value) => buggyTanh(v).mul(3)]] as const) {
  const { analytic, numeric } = check(fn, 0.5);
  const ok = Math.abs(analytic - numeric) <= 1e-5 + 1e-3 * Math.abs(numeric);
  console.log(`${name.padEnd(7)} 3·tanh(x) at 0.5: backward says ${analytic.toFixed(6)}, finite differences say ${numeric.toFixed(6)} → ${ok ? "pass" : "FAIL"}`);
}

L.cell("Your own op: forward and backward written by hand (customOp)");
// customOp is torch.autograd.Function: you write the forward and the backward over tensors,
// and the op joins the graph like a built-in one — so gradcheck can judge your backward.
// Squareplus (So 2021) is a smooth ReLU without exp: (x + √(x² + 4)) / 2, d/dx = (1 + x/√(x² + 4)) / 2.
const squareplus = customOp({
  name: "squareplus",
  forward(ctx, x: Tensor) {
    const root = x.square().add(4).sqrt();
    ctx.saveForBackward(x, root);
    return x.add(root).div(2);
  },
  backward(ctx, grad) {
    const [x, root] = ctx.saved as [Tensor, Tensor];
    return grad.mul(x.div(root).add(1).div(2));
  },
});
const spIn = randn([2, 3], { dtype: "float64", generator: new Generator(5) }).requiresGrad_();
console.log(`squareplus(x) is recorded as ${String(squareplus(spIn).gradFn?.name)}; gradcheck of the hand-written backward: ${gradcheck(squareplus, [spIn])}`);
// A straight-through estimator (Bengio et al. 2013) rounds going forward and lets the gradient
// through unchanged going back: the trick behind quantisation-aware training. It is *not* the
// true gradient (which is 0 almost everywhere), and gradcheck says so.
const roundSte = customOp({ name: "roundSte", forward: (_, w: Tensor) => w.round(), backward: (_, grad) => grad });
const steW = tensor([0.4, 1.6, -0.7], { dtype: "float64", requiresGrad: true });
roundSte(steW).mul(tensor([1, 2, 3], { dtype: "float64" })).sum().backward();
console.log(`round(w) = ${fmt(roundSte(steW).detach())}; gradient through the estimator ${fmt(steW.grad!)}; gradcheck ${gradcheck(roundSte, [steW], { raiseException: false })}`);

L.cell("Gradients are what training uses");
// A 2-8-1 tanh network learns XOR by gradient descent: loss.backward(), then step against the gradient.
const g = new Generator(3);
const xs = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const ys = tensor([[0], [1], [1], [0]]);
const W1 = randn([2, 8], { generator: g }).requiresGrad_();
const b1 = randn([8], { generator: g }).requiresGrad_();
const W2 = randn([8, 1], { generator: g }).mul(0.5).requiresGrad_();
const b2 = tensor([0]).requiresGrad_();
const params = [W1, b1, W2, b2];
const predict = () => xs.matmul(W1).add(b1).tanh().matmul(W2).add(b2).sigmoid();
const lossOf = () => predict().sub(ys).square().mean();
const steps = byMode({ fast: 150, default: 400 });
const losses: [number, number][] = [];
for (let step = 0; step <= steps; step++) {
  const loss = lossOf();
  losses.push([step, loss.item()]);
  if (step === steps) break;
  for (const p of params) p.grad = null;
  loss.backward();
  noGrad(() => params.forEach((p) => p.sub_(p.grad!.mul(2))));
}
console.log(asciiChart([{ name: "mean squared error", points: losses }], { xLabel: "step", height: 8 }));
const preds = noGrad(predict).toArray() as number[][];
console.log(`loss went from ${losses[0]![1].toFixed(3)} to ${losses[losses.length - 1]![1].toFixed(4)} in ${steps} steps; XOR predictions ${preds.map((p) => p[0]!.toFixed(2)).join(", ")} (targets 0, 1, 1, 0)`);

L.done();

function fmt(t: Tensor): string {
  return (t.toArray() as number[]).map((v) => v.toFixed(6)).join(", ");
}
