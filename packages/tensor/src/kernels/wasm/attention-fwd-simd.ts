/**
 * @file The forward driver of the WASM SIMD attention: FlashAttention's loop (Dao et al. 2022,
 * Algorithm 1) over BR-row query blocks and BC-key blocks with an online softmax — running row
 * maxima `m` and sums `l`, the output block rescaled by `exp(m_old − m_new)` — on the 4×8 tiles.
 * Scores carry a factor log2 e (folded into q) so the softmax needs only `2^x`.
 */
import { Func, type Local } from "./assembler.js";
import { type AttnLib, BC, BR, DESC, emitCols, emitLastKey, loadDesc, type BlockVars } from "./attention-parts.js";
import { emitExp2, emitExp2Scalar, emitHMax, emitHSum, emitLog, LOG2E, minI32 } from "./simd-math.js";

/**
 * `attnFwd(desc, start, end, scratch)`: for each (batch, kv head) pair p in [start, end), every
 * query head of the group: `o = softmax(scale · q kᵀ + mask) v` and `lse` = each row's log2 Σ exp
 * (the natural logsumexp · log2 e).
 */
export function attentionForwardKernel(lib: AttnLib): Func {
  const f = new Func("attnFwd", ["i32", "i32", "i32", "i32"]);
  const [desc, start, end, scratch] = f.i32Params(4);
  const d = loadDesc(f, desc, scratch, [
    "q", "qB", "qH", "qT", "k", "kB", "kH", "kT", "v", "vB", "vH", "vT", "o", "oB", "oH", "oT", "lse",
    "H", "Hkv", "Tq", "Tk", "hs", "hsp", "TkP", "causal", "Kp", "Vx", "Qp", "Acc", "S", "M", "L",
  ] as const);
  const scale = f.local("f32");
  f.get(desc).i32Load(DESC.scale * 4).f32ReinterpretI32().set(scale);
  const [p, b, kv, h, hEnd, qBase, oBase, rowBase, lastKey, rp, c, r, cols, nvalid, nfull, srow, t] = f.locals("i32", 17);
  const v: BlockVars = { i0: f.local("i32"), nr: f.local("i32"), j0: f.local("i32"), nb: f.local("i32"), off: f.local("i32"), causal: d.causal, tmp: f.local("i32"), tmp2: f.local("i32") };
  const [mOld, mNew, alpha, lsum] = f.locals("f32", 4);
  const [vmax, vsum, mask, nvv, xv, en, mv] = f.locals("v128", 7);
  const [le, lbits] = f.locals("i32", 2);
  const [ls, ls2] = f.locals("f64", 2);
  const i32 = (l: Local<"i32">) => (g: Func) => g.get(l);
  const blockBytes = (g: Func) => g.get(d.hsp).i32(BR * 4).i32Mul();
  const kvBytes = (g: Func) => g.get(d.TkP).get(d.hsp).i32Mul().i32(4).i32Mul();

  f.get(d.Tk).get(d.Tq).i32Sub().set(v.off);
  f.for(p, i32(start), i32(end), 1, (g) => {
    g.get(p).get(d.Hkv).i32DivU().set(b).get(p).get(d.Hkv).i32RemU().set(kv);
    g.get(d.Kp);
    kvBytes(g).call(lib.zero);
    g.get(d.Vx);
    kvBytes(g).call(lib.zero);
    // Kᵀ in panels of 8 keys (d-major) for S = q Kᵀ; V in column panels of 8 for O += P V
    g.get(d.Kp).get(d.k).get(b).get(d.kB).i32Mul().i32Add().get(kv).get(d.kH).i32Mul().i32Add().get(d.kT).get(d.Tk).get(d.hs);
    g.i32(3).get(d.hsp).i32(32).i32Mul().i32(32).f32(1).call(lib.packT);
    g.get(d.Vx).get(d.v).get(b).get(d.vB).i32Mul().i32Add().get(kv).get(d.vH).i32Mul().i32Add().get(d.vT).get(d.Tk).get(d.hs);
    g.get(d.TkP).f32(1).call(lib.packC);
    g.get(d.H).get(d.Hkv).i32DivU().get(kv).i32Mul().tee(h).get(d.H).get(d.Hkv).i32DivU().i32Add().set(hEnd);
    g.for(h, i32(h), i32(hEnd), 1, (g) => {
      g.get(d.q).get(b).get(d.qB).i32Mul().i32Add().get(h).get(d.qH).i32Mul().i32Add().set(qBase);
      g.get(d.o).get(b).get(d.oB).i32Mul().i32Add().get(h).get(d.oH).i32Mul().i32Add().set(oBase);
      g.get(b).get(d.H).i32Mul().get(h).i32Add().get(d.Tq).i32Mul().set(rowBase);
      g.for(v.i0, (x) => x.i32(0), i32(d.Tq), BR, (g) => forwardBlock(g));
    });
  });

  function forwardBlock(g: Func): void {
    g.get(d.Tq).get(v.i0).i32Sub().set(t);
    g.i32(BR).set(v.nr);
    minI32(g, v.nr, t).set(v.nr);
    g.get(d.Qp);
    blockBytes(g).call(lib.zero);
    g.get(d.Acc);
    blockBytes(g).call(lib.zero);
    g.get(d.Qp).get(qBase).get(v.i0).get(d.qT).i32Mul().i32Add().get(d.qT).get(v.nr).get(d.hs);
    g.i32(2).get(d.hsp).i32(16).i32Mul().i32(16).get(scale).f32(LOG2E).f32Mul().call(lib.packT);
    g.for(r, (x) => x.i32(0), (x) => x.i32(BR), 1, (x) => {
      x.get(d.M).get(r).i32(4).i32Mul().i32Add().f32(-Infinity).f32Store();
      x.get(d.L).get(r).i32(4).i32Mul().i32Add().f32(0).f32Store();
    });
    // keys up to the last one the block's last row sees
    g.get(d.Tk).set(v.nb).i32(0).set(v.j0);
    emitLastKey(g, v, (x) => x.get(v.nr).i32(1).i32Sub()).i32(1).i32Add().set(lastKey);
    g.for(v.j0, (x) => x.i32(0), i32(lastKey), BC, (g) => {
      g.get(d.Tk).get(v.j0).i32Sub().set(t).i32(BC).set(v.nb);
      minI32(g, v.nb, t).set(v.nb);
      // S = (scale · q) Kᵀ on the panels each 4-row panel can see
      g.for(rp, (x) => x.i32(0), i32(v.nr), 4, (g) => {
        emitCols(g, v, rp, cols);
        g.for(c, (x) => x.i32(0), i32(cols), 8, (x) => {
          x.get(d.hsp).get(d.Qp).get(rp).get(d.hsp).i32Mul().i32(4).i32Mul().i32Add();
          x.get(d.Kp).get(v.j0).get(c).i32Add().get(d.hsp).i32Mul().i32(4).i32Mul().i32Add();
          x.get(d.S).get(rp).i32(BC * 4).i32Mul().i32Add().get(c).i32(4).i32Mul().i32Add().i32(BC * 4).i32(0).call(lib.micro1);
        });
      });
      g.for(r, (x) => x.i32(0), i32(v.nr), 1, (g) => softmaxRow(g));
      // O += P V
      g.for(rp, (x) => x.i32(0), i32(v.nr), 4, (g) => {
        emitCols(g, v, rp, cols);
        g.for(c, (x) => x.i32(0), i32(d.hsp), 8, (x) => {
          x.get(cols).get(d.S).get(rp).i32(BC * 4).i32Mul().i32Add();
          x.get(d.Vx).get(c).get(d.TkP).i32Mul().i32(4).i32Mul().i32Add().get(v.j0).i32(32).i32Mul().i32Add();
          x.get(d.Acc).get(rp).get(d.hsp).i32Mul().get(c).i32Add().i32(4).i32Mul().i32Add().get(d.hsp).i32(4).i32Mul().i32(1).call(lib.micro3);
        });
      });
    });
    // o = O / l, lse2 = m + log2 l (the logsumexp in log2 units)
    g.for(r, (x) => x.i32(0), i32(v.nr), 1, (g) => {
      g.get(d.L).get(r).i32(4).i32Mul().i32Add().f32Load().set(lsum);
      g.get(v.i0).get(r).i32Add().set(t);
      g.get(oBase).get(t).get(d.oT).i32Mul().i32Add().i32(0);
      g.get(d.Acc).get(r).get(d.hsp).i32Mul().i32(4).i32Mul().i32Add().i32(0).i32(1).get(d.hs);
      g.f32(1).get(lsum).f32Div().call(lib.storeRows);
      g.get(d.lse).get(rowBase).get(t).i32Add().i32(4).i32Mul().i32Add();
      g.get(d.M).get(r).i32(4).i32Mul().i32Add().f32Load();
      emitLog(g, lsum, le, lbits, ls, ls2).f32(LOG2E).f32Mul().f32Add().f32Store();
    });
  }

  // Runs `body` on the 4-float chunks c of [0, cols): unmasked while c + 4 ≤ nvalid, then with `mask` set.
  function chunks(g: Func, body: (g: Func, masked: boolean) => void): void {
    g.get(nvalid).i32(-4).i32And().set(nfull);
    g.for(c, (x) => x.i32(0), i32(nfull), 4, (x) => body(x, false));
    g.for(c, i32(nfull), i32(cols), 4, (x) => {
      x.get(c).i32x4Splat().i32x4Const(0, 1, 2, 3).i32x4Add().get(nvv).i32x4LtS().set(mask);
      body(x, true);
    });
  }

  function softmaxRow(g: Func): void {
    g.get(r).i32(-4).i32And().set(rp);
    emitCols(g, v, rp, cols);
    emitLastKey(g, v, (x) => x.get(r)).i32(1).i32Add().set(nvalid);
    g.get(d.S).get(r).i32(BC * 4).i32Mul().i32Add().set(srow);
    g.get(cols).i32(0).i32GtS().get(nvalid).i32(0).i32LeS().i32And().if((g) =>
      // the panel sees keys in this block but this row none: its P row is zero
      g.for(c, (x) => x.i32(0), i32(cols), 4, (x) => x.get(srow).get(c).i32(4).i32Mul().i32Add().v128Zero().v128Store()),
    );
    g.get(nvalid).i32(0).i32GtS().if((g) => {
      g.get(nvalid).i32x4Splat().set(nvv);
      g.f32x4Const(-Infinity).set(vmax);
      chunks(g, (x, masked) => {
        x.get(vmax).get(srow).get(c).i32(4).i32Mul().i32Add().v128Load();
        if (masked) x.f32x4Const(-Infinity).get(mask).v128Bitselect();
        x.f32x4Pmax().set(vmax);
      });
      g.get(d.M).get(r).i32(4).i32Mul().i32Add().f32Load().tee(mOld);
      emitHMax(g, vmax).f32Max().set(mNew);
      g.get(mOld).get(mNew).f32Sub();
      emitExp2Scalar(g, xv, en).set(alpha);
      g.get(mNew).f32x4Splat().set(mv).v128Zero().set(vsum);
      // P = 2^(S − m) (scores are in log2 units), zero past the row's last key
      chunks(g, (g, masked) => {
        g.get(srow).get(c).i32(4).i32Mul().i32Add().set(t);
        g.get(t).v128Load().get(mv).f32x4Sub().set(xv);
        g.get(t);
        emitExp2(g, xv, en);
        if (masked) g.get(mask).v128And();
        g.tee(xv).v128Store();
        g.get(vsum).get(xv).f32x4Add().set(vsum);
      });
      g.get(d.L).get(r).i32(4).i32Mul().i32Add().tee(t).get(t).f32Load().get(alpha).f32Mul();
      emitHSum(g, vsum).f32Add().f32Store();
      g.get(d.M).get(r).i32(4).i32Mul().i32Add().get(mNew).f32Store();
      g.get(alpha).f32(1).f32Ne().if((g) => {
        g.get(d.Acc).get(r).get(d.hsp).i32Mul().i32(4).i32Mul().i32Add().set(t);
        g.get(alpha).f32x4Splat().set(mv);
        g.for(c, (x) => x.i32(0), i32(d.hsp), 4, (x) => {
          x.get(t).get(t).v128Load().get(mv).f32x4Mul().v128Store();
          x.get(t).i32(16).i32Add().set(t);
        });
      });
    });
  }
  return f;
}
