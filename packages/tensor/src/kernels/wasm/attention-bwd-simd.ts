/**
 * @file The backward driver of the WASM SIMD attention (FlashAttention-2's backward, Dao 2023,
 * without atomics): per (batch, kv head) and block, recompute `P = exp(S − lse)` from the saved
 * logsumexp, then `dV += Pᵀ dO`, `dS = P ⊙ (dO Vᵀ − D)`, `dQ += dS K`, `dK += dSᵀ q` on 4×8 tiles,
 * with `D = rowsum(dO ⊙ O)`. dK and dV of a kv head accumulate over its query heads in scratch.
 */
import { addr, Func, type Local, mul } from "./assembler.js";
import { accumulateTiles, ATTN_PARAMS, attnLocals, blockBytes, chunks, eachKeyBlock, eachPair, eachQueryBlock, emitCols, emitLastKey, keyColumns, keyPanels, kvBytes, laneMask, queryPanels, scoreTiles, zero } from "./attention-blocks.js";
import { type AttnLib, BC, BR } from "./attention-parts.js";
import { emitExp2, LOG2E, maxI32 } from "./simd-math.js";

/** `attnBwd(desc, start, end, scratch)`: dq, dk, dv for the (batch, kv head) pairs in [start, end). */
export function attentionBackwardKernel(lib: AttnLib): Func<typeof ATTN_PARAMS> {
  const f = new Func("attnBwd", ATTN_PARAMS);
  const a = attnLocals(f, lib, [
    "q", "qB", "qH", "qT", "k", "kB", "kH", "kT", "v", "vB", "vH", "vT", "o", "oB", "oH", "oT", "go", "goB", "goH", "goT",
    "dq", "dqB", "dqH", "dqT", "dk", "dkB", "dkH", "dkT", "dv", "dvB", "dvH", "dvT", "lse",
    "H", "Hkv", "Tq", "Tk", "hs", "hsp", "TkP", "causal",
    "Kp", "Vx", "Kc", "dK", "dV", "Qp", "Qc", "dOp", "dOc", "Acc", "S", "dS", "M", "L",
  ] as const, [
    "p", "b", "kv", "h", "hEnd", "qBase", "goBase", "oRow", "rowBase", "lastKey", "rp", "c", "r", "cols", "nvalid", "nfull", "t", "u", "jr", "iStart", "kc", "zeroI",
  ] as const);
  const { d, l, v, scale } = a;
  const { b, kv, h, qBase, goBase, oRow, rowBase, rp, c, r, cols, nvalid, t, u, jr, iStart, kc, zeroI } = l;
  const dot = f.local("f32");
  const [nvv, lv, dv, xv, en] = f.locals("v128", 5);
  // the block's nr rows at `src` in column panels of 8 (times `scale`): the B operand of dK += dSᵀ q, dV += Pᵀ dO
  const blockColumns = (g: Func, dst: Local<"i32">, src: Local<"i32">, rs: Local<"i32">, s: Local<"f32"> | number) =>
    g.call(lib.packC, { dst, src, rs, n: v.nr, hs: d.hs, rowsP: BR, scale: s });

  eachPair(f, a, {
    pair: (g) => {
      zero(g, a, [d.Kp, d.Vx, d.Kc, d.dK, d.dV], kvBytes(a));
      g.addr(d.k, [b, d.kB], [kv, d.kH]).set(t);
      g.addr(d.v, [b, d.vB], [kv, d.vH]).set(u);
      // Kᵀ and Vᵀ in panels of 8 keys for S = q Kᵀ and dP = dO Vᵀ; K in column panels for dQ += dS K
      keyPanels(g, a, d.Kp, t, d.kT);
      keyPanels(g, a, d.Vx, u, d.vT);
      keyColumns(g, a, d.Kc, t, d.kT);
    },
    head: (g) => {
      g.addr(d.q, [b, d.qB], [h, d.qH]).set(qBase);
      g.push(mul(addr([b, d.H], h), d.Tq)).set(rowBase); // lse row of (b, h, 0)
      eachQueryBlock(g, a, backwardBlock);
    },
    // dk, dv of this (b, kv), summed over the group's query heads
    after: (g) => {
      for (const [out, sB, sH, sT, acc] of [[d.dk, d.dkB, d.dkH, d.dkT, d.dK], [d.dv, d.dvB, d.dvH, d.dvT, d.dV]] as const) {
        g.call(lib.storeRows, { dst: addr(out, [b, sB], [kv, sH]), drs: sT, src: acc, srs: mul(d.hsp, 4), n: d.Tk, hs: d.hs, scale: 1 });
      }
    },
  });

  function backwardBlock(g: Func): void {
    zero(g, a, [d.Qp, d.Qc, d.dOp, d.dOc, d.Acc], blockBytes(a));
    g.addr(qBase, [v.i0, d.qT]).set(t);
    g.addr(d.go, [b, d.goB], [h, d.goH], [v.i0, d.goT]).set(goBase);
    g.addr(d.o, [b, d.oB], [h, d.oH], [v.i0, d.oT]).set(oRow);
    queryPanels(g, a, d.Qp, t, d.qT, (x) => x.get(scale).f32(LOG2E).f32Mul());
    blockColumns(g, d.Qc, t, d.qT, scale);
    queryPanels(g, a, d.dOp, goBase, d.goT, 1);
    blockColumns(g, d.dOc, goBase, d.goT, 1);
    // per row: L = lse, D = dO · O (zero for the padding rows of the last panel)
    g.for(r, 0, BR, 1, (g) => {
      g.f32(0).set(dot);
      g.addr(d.L, [r, 4]).f32(0).f32Store();
      g.get(r).get(v.nr).i32LtS().if((g) => {
        g.addr(rowBase, v.i0, r).set(t);
        g.addr(d.L, [r, 4]).addr(d.lse, [t, 4]).f32Load().f32Store();
        g.addr(goBase, [r, d.goT]).set(t);
        g.addr(oRow, [r, d.oT]).set(u);
        g.for(c, 0, d.hs, 1, (x) => {
          x.get(dot).get(t).f32Load().get(u).f32Load().f32Mul().f32Add().set(dot);
          x.get(t).i32(4).i32Add().set(t).get(u).i32(4).i32Add().set(u);
        });
      });
      g.addr(d.M, [r, 4]).get(dot).f32Store();
    });
    eachKeyBlock(g, a, keyBlock);
    // dq = scale · dS K
    g.call(lib.storeRows, { dst: addr(d.dq, [b, d.dqB], [h, d.dqH], [v.i0, d.dqT]), drs: d.dqT, src: d.Acc, srs: mul(d.hsp, 4), n: v.nr, hs: d.hs, scale });
  }

  function keyBlock(g: Func): void {
    // S = (scale · q) Kᵀ and dP = dO Vᵀ
    scoreTiles(g, a, [[d.Qp, d.Kp, d.S], [d.dOp, d.Vx, d.dS]]);
    // P = 2^(S − lse) (scores and lse in log2 units), 0 past the row's last key; dS = P ⊙ (dP − D)
    g.get(v.nr).i32(3).i32Add().i32(-4).i32And().set(u);
    g.for(r, 0, u, 1, (g) => {
      g.get(r).i32(-4).i32And().set(rp);
      emitCols(g, v, rp, cols);
      emitLastKey(g, v, (x) => x.get(r)).i32(1).i32Add().i32(0).get(r).get(v.nr).i32LtS().select().set(nvalid);
      maxI32(g, nvalid, zeroI).set(nvalid);
      g.get(nvalid).i32x4Splat().set(nvv);
      g.addr(d.L, [r, 4]).f32Load().f32x4Splat().set(lv);
      g.addr(d.M, [r, 4]).f32Load().f32x4Splat().set(dv);
      chunks(g, a, (g, masked) => {
        g.addr([r, BC * 4], [c, 4]).set(t);
        g.addr(d.S, t).v128Load().get(lv).f32x4Sub().set(xv);
        g.addr(d.S, t);
        emitExp2(g, xv, en);
        if (masked) laneMask(g, a, nvv).v128And();
        g.tee(xv).v128Store();
        g.addr(d.dS, t).tee(t).get(t).v128Load().get(dv).f32x4Sub().get(xv).f32x4Mul().v128Store();
      });
    });
    accumulateTiles(g, a, d.dS, d.Kc);
    // dV += Pᵀ dO and dK += dSᵀ (scale · q), key rows four at a time from the first query row that sees them
    g.get(v.nr).i32(1).i32Sub().i32(-4).i32And().set(rp);
    emitCols(g, v, rp, cols);
    g.for(jr, 0, cols, 4, (g) => {
      g.get(v.j0).get(jr).i32Add().get(v.off).i32Sub().get(v.i0).i32Sub().set(t);
      g.i32(0).set(iStart);
      g.get(d.causal).if((x) => maxI32(x, t, iStart).set(iStart));
      g.get(v.nr).get(iStart).i32Sub().set(kc);
      g.get(kc).i32(0).i32GtS().if((g) =>
        g.for(c, 0, d.hsp, 8, (x) => {
          for (const [p, bm, acc] of [[d.S, d.dOc, d.dV], [d.dS, d.Qc, d.dK]] as const) {
            const tile = addr(acc, [addr([addr(v.j0, jr), d.hsp], c), 4]);
            x.call(lib.micro5, { kc, ap: addr(p, [iStart, BC * 4], [jr, 4]), bp: addr(bm, [c, BR * 4], [iStart, 32]), c: tile, ldc: mul(d.hsp, 4), load: 1 });
          }
        }),
      );
    });
  }
  return f;
}
