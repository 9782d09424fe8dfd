/**
 * @file The forward driver of the WASM SIMD attention: FlashAttention's loop (Dao et al. 2022,
 * Algorithm 1) over BR-row query blocks and BC-key blocks with an online softmax — running row
 * maxima `m` and sums `l`, the output block rescaled by `exp(m_old − m_new)` — on the 4×8 tiles.
 * Scores carry a factor log2 e (folded into q) so the softmax needs only `2^x`.
 */
import { addr, Func, mul } from "./assembler.js";
import { accumulateTiles, ATTN_PARAMS, attnLocals, blockBytes, chunks, eachKeyBlock, eachPair, eachQueryBlock, emitCols, emitLastKey, keyColumns, keyPanels, kvBytes, laneMask, queryPanels, scoreTiles, zero } from "./attention-blocks.js";
import { type AttnLib, BC, BR } from "./attention-parts.js";
import { emitExp2, emitExp2Scalar, emitHMax, emitHSum, emitLog, LOG2E } from "./simd-math.js";

/**
 * `attnFwd(desc, start, end, scratch)`: for each (batch, kv head) pair p in [start, end), every
 * query head of the group: `o = softmax(scale · q kᵀ + mask) v` and `lse` = each row's log2 Σ exp
 * (the natural logsumexp · log2 e).
 */
export function attentionForwardKernel(lib: AttnLib): Func<typeof ATTN_PARAMS> {
  const f = new Func("attnFwd", ATTN_PARAMS);
  const a = attnLocals(f, lib, [
    "q", "qB", "qH", "qT", "k", "kB", "kH", "kT", "v", "vB", "vH", "vT", "o", "oB", "oH", "oT", "lse",
    "H", "Hkv", "Tq", "Tk", "hs", "hsp", "TkP", "causal", "Kp", "Vx", "Qp", "Acc", "S", "M", "L",
  ] as const, ["p", "b", "kv", "h", "hEnd", "qBase", "oBase", "rowBase", "lastKey", "rp", "c", "r", "cols", "nvalid", "nfull", "srow", "t"] as const);
  const { d, l, v, scale } = a;
  const { b, kv, h, qBase, oBase, rowBase, rp, c, r, cols, nvalid, srow, t } = l;
  const [mOld, mNew, alpha, lsum] = f.locals("f32", 4);
  const [vmax, vsum, mask, nvv, xv, en, mv] = f.locals("v128", 7);
  const [le, lbits] = f.locals("i32", 2);
  const [ls, ls2] = f.locals("f64", 2);

  eachPair(f, a, {
    pair: (g) => {
      zero(g, a, [d.Kp, d.Vx], kvBytes(a));
      // Kᵀ in panels of 8 keys (d-major) for S = q Kᵀ; V in column panels of 8 for O += P V
      keyPanels(g, a, d.Kp, addr(d.k, [b, d.kB], [kv, d.kH]), d.kT);
      keyColumns(g, a, d.Vx, addr(d.v, [b, d.vB], [kv, d.vH]), d.vT);
    },
    head: (g) => {
      g.addr(d.q, [b, d.qB], [h, d.qH]).set(qBase);
      g.addr(d.o, [b, d.oB], [h, d.oH]).set(oBase);
      g.push(mul(addr([b, d.H], h), d.Tq)).set(rowBase); // lse row of (b, h, 0)
      eachQueryBlock(g, a, forwardBlock);
    },
  });

  function forwardBlock(g: Func): void {
    zero(g, a, [d.Qp, d.Acc], blockBytes(a));
    queryPanels(g, a, d.Qp, addr(qBase, [v.i0, d.qT]), d.qT, (x) => x.get(scale).f32(LOG2E).f32Mul());
    // running maxima m = −∞ and sums l = 0
    g.for(r, 0, BR, 1, (x) => {
      x.addr(d.M, [r, 4]).f32(-Infinity).f32Store();
      x.addr(d.L, [r, 4]).f32(0).f32Store();
    });
    eachKeyBlock(g, a, (g) => {
      // S = (scale · q) Kᵀ on the panels each 4-row panel can see, then P = softmax row by row, O += P V
      scoreTiles(g, a, [[d.Qp, d.Kp, d.S]]);
      g.for(r, 0, v.nr, 1, softmaxRow);
      accumulateTiles(g, a, d.S, d.Vx);
    });
    // o = O / l, lse2 = m + log2 l (the logsumexp in log2 units)
    g.for(r, 0, v.nr, 1, (g) => {
      g.addr(d.L, [r, 4]).f32Load().set(lsum);
      g.addr(v.i0, r).set(t);
      const inv = (x: Func) => x.f32(1).get(lsum).f32Div();
      g.call(lib.storeRows, { dst: addr(oBase, [t, d.oT]), drs: 0, src: addr(d.Acc, [r, d.hsp, 4]), srs: 0, n: 1, hs: d.hs, scale: inv });
      g.addr(d.lse, [addr(rowBase, t), 4]);
      g.addr(d.M, [r, 4]).f32Load();
      emitLog(g, lsum, le, lbits, ls, ls2).f32(LOG2E).f32Mul().f32Add().f32Store();
    });
  }

  // The chunks of the score row, with `mask` set for the ragged ones.
  function maskedChunks(g: Func, body: (g: Func, masked: boolean) => void): void {
    chunks(g, a, (x, masked) => {
      if (masked) laneMask(x, a, nvv).set(mask);
      body(x, masked);
    });
  }

  // Online softmax of block row r: m_new = max(m, max S), P = 2^(S − m_new), l = α·l + Σ P, O *= α, α = 2^(m − m_new).
  function softmaxRow(g: Func): void {
    g.get(r).i32(-4).i32And().set(rp);
    emitCols(g, v, rp, cols);
    emitLastKey(g, v, (x) => x.get(r)).i32(1).i32Add().set(nvalid);
    g.addr(d.S, [r, BC * 4]).set(srow);
    g.get(cols).i32(0).i32GtS().get(nvalid).i32(0).i32LeS().i32And().if((g) =>
      // the panel sees keys in this block but this row none: its P row is zero
      g.for(c, 0, cols, 4, (x) => x.addr(srow, [c, 4]).v128Zero().v128Store()),
    );
    g.get(nvalid).i32(0).i32GtS().if((g) => {
      g.get(nvalid).i32x4Splat().set(nvv);
      g.f32x4Const(-Infinity).set(vmax);
      maskedChunks(g, (x, masked) => {
        x.get(vmax).addr(srow, [c, 4]).v128Load();
        if (masked) x.f32x4Const(-Infinity).get(mask).v128Bitselect();
        x.f32x4Pmax().set(vmax);
      });
      g.addr(d.M, [r, 4]).f32Load().tee(mOld);
      emitHMax(g, vmax).f32Max().set(mNew);
      g.get(mOld).get(mNew).f32Sub();
      emitExp2Scalar(g, xv, en).set(alpha);
      g.get(mNew).f32x4Splat().set(mv).v128Zero().set(vsum);
      // P = 2^(S − m) (scores are in log2 units), zero past the row's last key
      maskedChunks(g, (g, masked) => {
        g.addr(srow, [c, 4]).set(t);
        g.get(t).v128Load().get(mv).f32x4Sub().set(xv);
        g.get(t);
        emitExp2(g, xv, en);
        if (masked) g.get(mask).v128And();
        g.tee(xv).v128Store();
        g.get(vsum).get(xv).f32x4Add().set(vsum);
      });
      g.addr(d.L, [r, 4]).tee(t).get(t).f32Load().get(alpha).f32Mul();
      emitHSum(g, vsum).f32Add().f32Store();
      g.addr(d.M, [r, 4]).get(mNew).f32Store();
      g.get(alpha).f32(1).f32Ne().if((g) => {
        g.addr(d.Acc, [r, d.hsp, 4]).set(t);
        g.get(alpha).f32x4Splat().set(mv);
        g.for(c, 0, d.hsp, 4, (x) => {
          x.get(t).get(t).v128Load().get(mv).f32x4Mul().v128Store();
          x.get(t).i32(16).i32Add().set(t);
        });
      });
    });
  }
  return f;
}
