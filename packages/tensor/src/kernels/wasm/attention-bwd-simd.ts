/**
 * @file The backward driver of the WASM SIMD attention (FlashAttention-2's backward, Dao 2023,
 * without atomics): per (batch, kv head) and block, recompute `P = exp(S − lse)` from the saved
 * logsumexp, then `dV += Pᵀ dO`, `dS = P ⊙ (dO Vᵀ − D)`, `dQ += dS K`, `dK += dSᵀ q` on 4×8 tiles,
 * with `D = rowsum(dO ⊙ O)`. dK and dV of a kv head accumulate over its query heads in scratch.
 */
import { Func, type Local } from "./assembler.js";
import { type AttnLib, BC, BR, DESC, emitCols, emitLastKey, loadDesc, type BlockVars } from "./attention-parts.js";
import { emitExp2, LOG2E, minI32, maxI32 } from "./simd-math.js";

/** `attnBwd(desc, start, end, scratch)`: dq, dk, dv for the (batch, kv head) pairs in [start, end). */
export function attentionBackwardKernel(lib: AttnLib): Func {
  const f = new Func("attnBwd", ["i32", "i32", "i32", "i32"]);
  const [desc, start, end, scratch] = f.i32Params(4);
  const d = loadDesc(f, desc, scratch, [
    "q", "qB", "qH", "qT", "k", "kB", "kH", "kT", "v", "vB", "vH", "vT", "o", "oB", "oH", "oT", "go", "goB", "goH", "goT",
    "dq", "dqB", "dqH", "dqT", "dk", "dkB", "dkH", "dkT", "dv", "dvB", "dvH", "dvT", "lse",
    "H", "Hkv", "Tq", "Tk", "hs", "hsp", "TkP", "causal",
    "Kp", "Vx", "Kc", "dK", "dV", "Qp", "Qc", "dOp", "dOc", "Acc", "S", "dS", "M", "L",
  ] as const);
  const scale = f.local("f32");
  f.get(desc).i32Load(DESC.scale * 4).f32ReinterpretI32().set(scale);
  const [p, b, kv, h, hEnd, qBase, goBase, oRow, rowBase, lastKey, rp, c, r, cols, nvalid, nfull, t, u, jr, iStart, kc, zeroI] = f.locals("i32", 22);
  const v: BlockVars = { i0: f.local("i32"), nr: f.local("i32"), j0: f.local("i32"), nb: f.local("i32"), off: f.local("i32"), causal: d.causal, tmp: f.local("i32"), tmp2: f.local("i32") };
  const dot = f.local("f32");
  const [nvv, lv, dv, xv, en] = f.locals("v128", 5);
  const i32 = (l: Local<"i32">) => (g: Func) => g.get(l);
  const zero = (g: Func, ptr: Local<"i32">, bytes: (g: Func) => void) => {
    g.get(ptr);
    bytes(g);
    g.call(lib.zero);
  };
  const blockBytes = (g: Func) => g.get(d.hsp).i32(BR * 4).i32Mul();
  const kvBytes = (g: Func) => g.get(d.TkP).get(d.hsp).i32Mul().i32(4).i32Mul();
  const addr = (g: Func, base: Local<"i32">, i: Local<"i32">, stride: number) => g.get(base).get(i).i32(stride).i32Mul().i32Add();

  f.get(d.Tk).get(d.Tq).i32Sub().set(v.off);
  f.for(p, i32(start), i32(end), 1, (g) => {
    g.get(p).get(d.Hkv).i32DivU().set(b).get(p).get(d.Hkv).i32RemU().set(kv);
    for (const a of [d.Kp, d.Vx, d.Kc, d.dK, d.dV]) zero(g, a, kvBytes);
    g.get(d.k).get(b).get(d.kB).i32Mul().i32Add().get(kv).get(d.kH).i32Mul().i32Add().set(t);
    g.get(d.v).get(b).get(d.vB).i32Mul().i32Add().get(kv).get(d.vH).i32Mul().i32Add().set(u);
    g.get(d.Kp).get(t).get(d.kT).get(d.Tk).get(d.hs).i32(3).get(d.hsp).i32(32).i32Mul().i32(32).f32(1).call(lib.packT);
    g.get(d.Vx).get(u).get(d.vT).get(d.Tk).get(d.hs).i32(3).get(d.hsp).i32(32).i32Mul().i32(32).f32(1).call(lib.packT);
    g.get(d.Kc).get(t).get(d.kT).get(d.Tk).get(d.hs).get(d.TkP).f32(1).call(lib.packC);
    g.get(d.H).get(d.Hkv).i32DivU().get(kv).i32Mul().tee(h).get(d.H).get(d.Hkv).i32DivU().i32Add().set(hEnd);
    g.for(h, i32(h), i32(hEnd), 1, (g) => {
      g.get(d.q).get(b).get(d.qB).i32Mul().i32Add().get(h).get(d.qH).i32Mul().i32Add().set(qBase);
      g.get(b).get(d.H).i32Mul().get(h).i32Add().get(d.Tq).i32Mul().set(rowBase);
      g.for(v.i0, (x) => x.i32(0), i32(d.Tq), BR, (g) => backwardBlock(g));
    });
    // dk, dv of this (b, kv)
    for (const [out, sB, sH, sT, acc] of [[d.dk, d.dkB, d.dkH, d.dkT, d.dK], [d.dv, d.dvB, d.dvH, d.dvT, d.dV]] as const) {
      g.get(out).get(b).get(sB).i32Mul().i32Add().get(kv).get(sH).i32Mul().i32Add().get(sT);
      g.get(acc).get(d.hsp).i32(4).i32Mul().get(d.Tk).get(d.hs).f32(1).call(lib.storeRows);
    }
  });

  function backwardBlock(g: Func): void {
    g.get(d.Tq).get(v.i0).i32Sub().set(t);
    g.i32(BR).set(v.nr);
    minI32(g, v.nr, t).set(v.nr);
    for (const a of [d.Qp, d.Qc, d.dOp, d.dOc, d.Acc]) zero(g, a, blockBytes);
    g.get(qBase).get(v.i0).get(d.qT).i32Mul().i32Add().set(t);
    g.get(d.go).get(b).get(d.goB).i32Mul().i32Add().get(h).get(d.goH).i32Mul().i32Add().get(v.i0).get(d.goT).i32Mul().i32Add().set(goBase);
    g.get(d.o).get(b).get(d.oB).i32Mul().i32Add().get(h).get(d.oH).i32Mul().i32Add().get(v.i0).get(d.oT).i32Mul().i32Add().set(oRow);
    g.get(d.Qp).get(t).get(d.qT).get(v.nr).get(d.hs).i32(2).get(d.hsp).i32(16).i32Mul().i32(16).get(scale).f32(LOG2E).f32Mul().call(lib.packT);
    g.get(d.Qc).get(t).get(d.qT).get(v.nr).get(d.hs).i32(BR).get(scale).call(lib.packC);
    g.get(d.dOp).get(goBase).get(d.goT).get(v.nr).get(d.hs).i32(2).get(d.hsp).i32(16).i32Mul().i32(16).f32(1).call(lib.packT);
    g.get(d.dOc).get(goBase).get(d.goT).get(v.nr).get(d.hs).i32(BR).f32(1).call(lib.packC);
    // per row: L = lse, D = dO · O (zero for the padding rows of the last panel)
    g.for(r, (x) => x.i32(0), (x) => x.i32(BR), 1, (g) => {
      g.f32(0).set(dot);
      addr(g, d.L, r, 4).f32(0).f32Store();
      g.get(r).get(v.nr).i32LtS().if((g) => {
        g.get(rowBase).get(v.i0).i32Add().get(r).i32Add().set(t);
        addr(g, d.L, r, 4);
        addr(g, d.lse, t, 4).f32Load().f32Store();
        g.get(goBase).get(r).get(d.goT).i32Mul().i32Add().set(t);
        g.get(oRow).get(r).get(d.oT).i32Mul().i32Add().set(u);
        g.for(c, (x) => x.i32(0), i32(d.hs), 1, (x) => {
          x.get(dot).get(t).f32Load().get(u).f32Load().f32Mul().f32Add().set(dot);
          x.get(t).i32(4).i32Add().set(t).get(u).i32(4).i32Add().set(u);
        });
      });
      addr(g, d.M, r, 4).get(dot).f32Store();
    });
    g.get(d.Tk).set(v.nb).i32(0).set(v.j0);
    emitLastKey(g, v, (x) => x.get(v.nr).i32(1).i32Sub()).i32(1).i32Add().set(lastKey);
    g.for(v.j0, (x) => x.i32(0), i32(lastKey), BC, (g) => keyBlock(g));
    // dq = scale · dS K
    g.get(d.dq).get(b).get(d.dqB).i32Mul().i32Add().get(h).get(d.dqH).i32Mul().i32Add().get(v.i0).get(d.dqT).i32Mul().i32Add().get(d.dqT);
    g.get(d.Acc).get(d.hsp).i32(4).i32Mul().get(v.nr).get(d.hs).get(scale).call(lib.storeRows);
  }

  function keyBlock(g: Func): void {
    g.get(d.Tk).get(v.j0).i32Sub().set(t).i32(BC).set(v.nb);
    minI32(g, v.nb, t).set(v.nb);
    // S = (scale · q) Kᵀ and dP = dO Vᵀ
    g.for(rp, (x) => x.i32(0), i32(v.nr), 4, (g) => {
      emitCols(g, v, rp, cols);
      g.for(c, (x) => x.i32(0), i32(cols), 8, (x) => {
        for (const [a, bk, s] of [[d.Qp, d.Kp, d.S], [d.dOp, d.Vx, d.dS]] as const) {
          x.get(d.hsp).get(a).get(rp).get(d.hsp).i32Mul().i32(4).i32Mul().i32Add();
          x.get(bk).get(v.j0).get(c).i32Add().get(d.hsp).i32Mul().i32(4).i32Mul().i32Add();
          x.get(s).get(rp).i32(BC * 4).i32Mul().i32Add().get(c).i32(4).i32Mul().i32Add().i32(BC * 4).i32(0).call(lib.micro1);
        }
      });
    });
    // P = 2^(S − lse) (scores and lse in log2 units), 0 past the row's last key; dS = P ⊙ (dP − D)
    g.get(v.nr).i32(3).i32Add().i32(-4).i32And().set(u);
    g.for(r, (x) => x.i32(0), i32(u), 1, (g) => {
      g.get(r).i32(-4).i32And().set(rp);
      emitCols(g, v, rp, cols);
      emitLastKey(g, v, (x) => x.get(r)).i32(1).i32Add().i32(0).get(r).get(v.nr).i32LtS().select().set(nvalid);
      maxI32(g, nvalid, zeroI).set(nvalid);
      g.get(nvalid).i32x4Splat().set(nvv);
      addr(g, d.L, r, 4).f32Load().f32x4Splat().set(lv);
      addr(g, d.M, r, 4).f32Load().f32x4Splat().set(dv);
      const body = (g: Func, masked: boolean) => {
        g.get(r).i32(BC * 4).i32Mul().get(c).i32(4).i32Mul().i32Add().set(t);
        g.get(d.S).get(t).i32Add().v128Load().get(lv).f32x4Sub().set(xv);
        g.get(d.S).get(t).i32Add();
        emitExp2(g, xv, en);
        if (masked) g.get(c).i32x4Splat().i32x4Const(0, 1, 2, 3).i32x4Add().get(nvv).i32x4LtS().v128And();
        g.tee(xv).v128Store();
        g.get(d.dS).get(t).i32Add().tee(t).get(t).v128Load().get(dv).f32x4Sub().get(xv).f32x4Mul().v128Store();
      };
      g.get(nvalid).i32(-4).i32And().set(nfull);
      g.for(c, (x) => x.i32(0), i32(nfull), 4, (x) => body(x, false));
      g.for(c, i32(nfull), i32(cols), 4, (x) => body(x, true));
    });
    // dQ += dS K
    g.for(rp, (x) => x.i32(0), i32(v.nr), 4, (g) => {
      emitCols(g, v, rp, cols);
      g.for(c, (x) => x.i32(0), i32(d.hsp), 8, (x) => {
        x.get(cols).get(d.dS).get(rp).i32(BC * 4).i32Mul().i32Add();
        x.get(d.Kc).get(c).get(d.TkP).i32Mul().i32(4).i32Mul().i32Add().get(v.j0).i32(32).i32Mul().i32Add();
        x.get(d.Acc).get(rp).get(d.hsp).i32Mul().get(c).i32Add().i32(4).i32Mul().i32Add().get(d.hsp).i32(4).i32Mul().i32(1).call(lib.micro3);
      });
    });
    // dV += Pᵀ dO and dK += dSᵀ (scale · q), key rows four at a time from the first query that sees them
    g.get(v.nr).i32(1).i32Sub().i32(-4).i32And().set(rp);
    emitCols(g, v, rp, cols);
    g.for(jr, (x) => x.i32(0), i32(cols), 4, (g) => {
      g.get(v.j0).get(jr).i32Add().get(v.off).i32Sub().get(v.i0).i32Sub().set(t);
      g.i32(0).set(iStart);
      g.get(d.causal).if((x) => maxI32(x, t, iStart).set(iStart));
      g.get(v.nr).get(iStart).i32Sub().set(kc);
      g.get(kc).i32(0).i32GtS().if((g) =>
        g.for(c, (x) => x.i32(0), i32(d.hsp), 8, (x) => {
          for (const [a, bm, acc] of [[d.S, d.dOc, d.dV], [d.dS, d.Qc, d.dK]] as const) {
            x.get(kc).get(a).get(iStart).i32(BC * 4).i32Mul().i32Add().get(jr).i32(4).i32Mul().i32Add();
            x.get(bm).get(c).i32(BR * 4).i32Mul().i32Add().get(iStart).i32(32).i32Mul().i32Add();
            x.get(acc).get(v.j0).get(jr).i32Add().get(d.hsp).i32Mul().get(c).i32Add().i32(4).i32Mul().i32Add();
            x.get(d.hsp).i32(4).i32Mul().i32(1).call(lib.micro5);
          }
        }),
      );
    });
  }
  return f;
}
