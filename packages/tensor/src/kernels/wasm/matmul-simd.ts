/**
 * @file The emitters of the WebAssembly SIMD128 float32 GEMM (assembled into the runtime's one module,
 * `module.ts`; the host side is `kernels/matmul-wasm.ts`): packed A/B panels and cache blocking
 * after Goto & van de Geijn, "Anatomy of high-performance matrix multiplication" (BLIS), with a
 * 4×8 register tile (8 f32x4 accumulators + 2 B vectors + 1 broadcast fit V8's 16 xmm registers).
 * Packed A holds every value already broadcast to a whole f32x4, so the inner loop loads it with a
 * plain `v128.load` instead of a `v128.load32_splat`, which took vector-pipe slots from the
 * multiplies and adds (benchmarks/results, GEMM 1 thread, before → after: bench-2026-12-04-11-28 →
 * bench-2026-12-04-14-23, 1024³ 43.4 → 45.0 GFLOP/s, 2048×128×352 x·Wᵀ 43.1 → 47.1).
 */
import { type Callee, Func, type Local } from "./assembler.js";

/** Register tile: MR rows of A × NR columns of B (NR = two f32x4 vectors). */
export const MR = 4;
/** Register tile width in floats. */
export const NR = 8;
/** Cache blocks: KC × NR panel of B in L1, MC × KC block of A in L2, KC × NC block of B in L3. */
export const BLOCKS = Object.freeze({ MC: 128, KC: 256, NC: 1024 });

type I32 = Local<"i32">;

// min(x, y) of two i32 locals/values pushed by callbacks.
function min(f: Func, x: (f: Func) => void, y: (f: Func) => void): Func {
  x(f);
  y(f);
  x(f);
  y(f);
  return f.i32LtS().select();
}

/** Bytes of one packed A value: broadcast to the four lanes of an f32x4. */
const A_VALUE = 16;
/** Bytes of one k step of a packed A panel: MR broadcast values. */
export const A_STEP = MR * A_VALUE;

/** `micro(kc, ap, bp, c, ldc, load)`: C[4×8] (+)= Ap[kc×4]ᵀ · Bp[kc×8], all pointers in bytes; Ap's values come broadcast ({@link A_STEP} bytes per k). */
export function microKernel(): Func {
  const f = new Func("micro", ["i32", "i32", "i32", "i32", "i32", "i32"]);
  const [kc, ap, bp, c, ldc, load] = f.i32Params(6);
  const rows: I32[] = [c, ...f.locals("i32", 3)];
  const acc = f.locals("v128", 8);
  const b = f.locals("v128", 2);
  const a = f.local("v128");
  for (let r = 1; r < MR; r++) f.get(rows[r - 1]!).get(ldc).i32Add().set(rows[r]!);
  f.get(load).if(
    (g) => acc.forEach((v, i) => g.get(rows[i >> 1]!).v128Load((i & 1) * 16).set(v)),
    (g) => acc.forEach((v) => g.v128Zero().set(v)),
  );
  // NOTE: no k unrolling — measured slower on V8 (spills); each C element sees the same op sequence.
  f.loop((g) => {
    g.get(bp).v128Load(0).set(b[0]).get(bp).v128Load(16).set(b[1]);
    for (let r = 0; r < MR; r++) {
      g.get(ap).v128Load(r * A_VALUE).set(a);
      for (let h = 0; h < 2; h++) g.get(acc[r * 2 + h]!).get(a).get(b[h]!).f32x4Mul().f32x4Add().set(acc[r * 2 + h]!);
    }
    g.get(ap).i32(A_STEP).i32Add().set(ap);
    g.get(bp).i32(NR * 4).i32Add().set(bp);
    g.get(kc).i32(1).i32Sub().tee(kc).brIf(0);
  });
  acc.forEach((v, i) => f.get(rows[i >> 1]!).get(v).v128Store((i & 1) * 16));
  return f;
}

/**
 * `packB(dst, src, rs, cs, n, kc)`: copies an n × kc block (element (i, k) at src + i·rs + k·cs)
 * into panels of NR lines, each stored k-major, zero-padding the last panel.
 */
export function packBKernel(): Func {
  const width = NR;
  const f = new Func("packB", ["i32", "i32", "i32", "i32", "i32", "i32"]);
  const [dst, src, rs, cs, n, kc] = f.i32Params(6);
  const [i, lines, s, d, l, k, sp, dp] = f.locals("i32", 8);
  const step = width * 4;
  f.get(dst).set(d);
  f.for(i, (g) => g.i32(0), (g) => g.get(n), width, (g) => {
    min(g, (h) => h.i32(width), (h) => h.get(n).get(i).i32Sub()).set(lines);
    g.get(src).get(i).get(rs).i32Mul().i32Add().set(s);
    // Fast path: a full panel whose lines are adjacent floats is `width / 4` vector copies per k.
    g.get(lines).i32(width).i32Eq().get(rs).i32(4).i32Eq().i32And().if(
      (t) => {
        t.get(s).set(sp).get(d).set(dp);
        t.for(k, (h) => h.i32(0), (h) => h.get(kc), 1, (h) => {
          for (let v = 0; v < width / 4; v++) h.get(dp).get(sp).v128Load(v * 16).v128Store(v * 16);
          h.get(sp).get(cs).i32Add().set(sp).get(dp).i32(step).i32Add().set(dp);
        });
      },
      // element by element, zero-filling the lines past the end of the block
      (t) => t.for(l, (h) => h.i32(0), (h) => h.i32(width), 1, (h) => {
        h.get(s).get(l).get(rs).i32Mul().i32Add().set(sp);
        h.get(d).get(l).i32(4).i32Mul().i32Add().set(dp);
        h.get(l).get(lines).i32LtS().if(
          (w) => w.for(k, (x) => x.i32(0), (x) => x.get(kc), 1, (x) => {
            x.get(dp).get(sp).f32Load().f32Store();
            x.get(sp).get(cs).i32Add().set(sp).get(dp).i32(step).i32Add().set(dp);
          }),
          (w) => w.for(k, (x) => x.i32(0), (x) => x.get(kc), 1, (x) => {
            x.get(dp).f32(0).f32Store();
            x.get(dp).i32(step).i32Add().set(dp);
          }),
        );
      }),
    );
    g.get(d).get(kc).i32(step).i32Mul().i32Add().set(d);
  });
  return f;
}

/**
 * `packA(dst, src, rs, cs, n, kc)`: copies an n × kc block (element (i, k) at src + i·rs + k·cs)
 * into panels of MR lines, each value broadcast to an f32x4 (panel k-major, {@link A_STEP} bytes
 * per k), zero-filling the lines past the end of the block. A full panel of row-major A (k
 * adjacent) or of transposed A (lines adjacent) is read a vector at a time and each lane splatted
 * with a shuffle; the rest element by element.
 */
export function packAKernel(): Func {
  const f = new Func("packA", ["i32", "i32", "i32", "i32", "i32", "i32"]);
  const [dst, src, rs, cs, n, kc] = f.i32Params(6);
  const [i, l, sp, dp, k, k4, d] = f.locals("i32", 7);
  const v = f.local("v128");
  // the four lanes of v, each splatted, to dp + u·step
  const spread = (g: Func, step: number) => {
    for (let u = 0; u < 4; u++) g.get(dp).get(v).get(v).f32x4Shuffle(u, u, u, u).v128Store(u * step);
  };
  // element by element from k = `from` for lines l of the panel at i
  const scalar = (g: Func, from: (x: Func) => void) =>
    g.for(l, (h) => h.i32(0), (h) => h.i32(MR), 1, (h) => {
      h.get(d).get(l).i32(A_VALUE).i32Mul().i32Add();
      from(h);
      h.i32(A_STEP).i32Mul().i32Add().set(dp);
      h.get(i).get(l).i32Add().get(n).i32LtS().if(
        (w) => {
          w.get(src).get(i).get(l).i32Add().get(rs).i32Mul().i32Add();
          from(w);
          w.get(cs).i32Mul().i32Add().set(sp);
          w.for(k, from, (x) => x.get(kc), 1, (x) => {
            x.get(dp).get(sp).v128Load32Splat().v128Store();
            x.get(sp).get(cs).i32Add().set(sp).get(dp).i32(A_STEP).i32Add().set(dp);
          });
        },
        (w) => w.for(k, from, (x) => x.get(kc), 1, (x) => {
          x.get(dp).v128Zero().v128Store();
          x.get(dp).i32(A_STEP).i32Add().set(dp);
        }),
      );
    });
  f.get(kc).i32(-4).i32And().set(k4);
  f.for(i, (g) => g.i32(0), (g) => g.get(n), MR, (g) => {
    g.get(dst).get(i).get(kc).i32Mul().i32(A_VALUE).i32Mul().i32Add().set(d);
    g.get(n).get(i).i32Sub().i32(MR).i32GeS().if(
      (t) => t.get(rs).i32(4).i32Eq().if(
        // lines adjacent: one vector holds the four lines' values at k
        (u) => {
          u.get(src).get(i).i32(4).i32Mul().i32Add().set(sp).get(d).set(dp);
          u.for(k, (x) => x.i32(0), (x) => x.get(kc), 1, (x) => {
            x.get(sp).v128Load().set(v);
            spread(x, A_VALUE);
            x.get(sp).get(cs).i32Add().set(sp).get(dp).i32(A_STEP).i32Add().set(dp);
          });
        },
        (u) => u.get(cs).i32(4).i32Eq().if(
          // k adjacent: one vector holds four k of a line
          (w) => {
            w.for(l, (x) => x.i32(0), (x) => x.i32(MR), 1, (x) => {
              x.get(src).get(i).get(l).i32Add().get(rs).i32Mul().i32Add().set(sp);
              x.get(d).get(l).i32(A_VALUE).i32Mul().i32Add().set(dp);
              x.for(k, (y) => y.i32(0), (y) => y.get(k4), 4, (y) => {
                y.get(sp).v128Load().set(v);
                spread(y, A_STEP);
                y.get(sp).i32(16).i32Add().set(sp).get(dp).i32(4 * A_STEP).i32Add().set(dp);
              });
            });
            scalar(w, (x) => x.get(k4));
          },
          (w) => scalar(w, (x) => x.i32(0)),
        ),
      ),
      (t) => scalar(t, (x) => x.i32(0)),
    );
  });
  return f;
}

// Copies an mr × nr tile between C (row stride ldc bytes) and the 4×8 scratch tile, either way.
function copyTile(f: Func, c: I32, ldc: I32, tile: I32, mr: I32, nr: I32, r: I32, q: I32, toTile: boolean): void {
  f.for(r, (g) => g.i32(0), (g) => g.get(mr), 1, (g) =>
    g.for(q, (h) => h.i32(0), (h) => h.get(nr), 1, (h) => {
      const cAddr = (x: Func) => x.get(c).get(r).get(ldc).i32Mul().i32Add().get(q).i32(4).i32Mul().i32Add();
      const tAddr = (x: Func) => x.get(tile).get(r).i32(NR * 4).i32Mul().i32Add().get(q).i32(4).i32Mul().i32Add();
      const [to, from] = toTile ? [tAddr, cAddr] : [cAddr, tAddr];
      to(h);
      from(h).f32Load().f32Store();
    }),
  );
}

/** The helpers `gemm` calls. */
export interface GemmLib {
  micro: Callee;
  packA: Callee;
  packB: Callee;
}

/**
 * `gemm(c, ldc, a, aRs, aCs, b, bRs, bCs, M, N, K, accumulate, scratch)`: C (+)= A·B with element
 * strides in bytes (A(i,k) at a + i·aRs + k·aCs, B(k,j) at b + k·bRs + j·bCs).
 */
export function gemmDriver(lib: GemmLib): Func {
  const { MC, KC, NC } = BLOCKS;
  const f = new Func("gemm", Array<"i32">(13).fill("i32"));
  const [c, ldc, a, aRs, aCs, b, bRs, bCs, M, N, K, accum, scratch] = f.i32Params(13);
  const [pc, kc, load, jc, nc, ic, mc, j, nr, i, mr, bp, ap, tile, cc, r, q] = f.locals("i32", 17);
  f.get(scratch).set(ap);
  f.get(scratch).i32(MC * KC * A_VALUE).i32Add().set(bp);
  f.get(bp).i32(KC * NC * 4).i32Add().set(tile);
  f.for(pc, (g) => g.i32(0), (g) => g.get(K), KC, (g) => {
    min(g, (h) => h.i32(KC), (h) => h.get(K).get(pc).i32Sub()).set(kc);
    g.get(accum).get(pc).i32Or().set(load);
    g.for(jc, (h) => h.i32(0), (h) => h.get(N), NC, (h) => {
      min(h, (x) => x.i32(NC), (x) => x.get(N).get(jc).i32Sub()).set(nc);
      h.get(bp).get(b).get(pc).get(bRs).i32Mul().i32Add().get(jc).get(bCs).i32Mul().i32Add();
      h.get(bCs).get(bRs).get(nc).get(kc).call(lib.packB);
      h.for(ic, (x) => x.i32(0), (x) => x.get(M), MC, (x) => {
        min(x, (y) => y.i32(MC), (y) => y.get(M).get(ic).i32Sub()).set(mc);
        x.get(ap).get(a).get(ic).get(aRs).i32Mul().i32Add().get(pc).get(aCs).i32Mul().i32Add();
        x.get(aRs).get(aCs).get(mc).get(kc).call(lib.packA);
        x.for(j, (y) => y.i32(0), (y) => y.get(nc), NR, (y) => {
          min(y, (z) => z.i32(NR), (z) => z.get(nc).get(j).i32Sub()).set(nr);
          y.for(i, (z) => z.i32(0), (z) => z.get(mc), MR, (z) => {
            min(z, (w) => w.i32(MR), (w) => w.get(mc).get(i).i32Sub()).set(mr);
            z.get(c).get(ic).get(i).i32Add().get(ldc).i32Mul().i32Add().get(jc).get(j).i32Add().i32(4).i32Mul().i32Add().set(cc);
            const args = (w: Func, cp: I32, ld: I32 | number) => {
              w.get(kc).get(ap).get(i).get(kc).i32Mul().i32(A_VALUE).i32Mul().i32Add();
              w.get(bp).get(j).get(kc).i32Mul().i32(4).i32Mul().i32Add().get(cp);
              if (typeof ld === "number") w.i32(ld);
              else w.get(ld);
              w.get(load).call(lib.micro);
            };
            z.get(mr).i32(MR).i32Eq().get(nr).i32(NR).i32Eq().i32And().if(
              (w) => args(w, cc, ldc),
              (w) => {
                w.get(load).if((v) => copyTile(v, cc, ldc, tile, mr, nr, r, q, true));
                args(w, tile, NR * 4);
                copyTile(w, cc, ldc, tile, mr, nr, r, q, false);
              },
            );
          });
        });
      });
    });
  });
  return f;
}

/** Bytes of per-thread scratch the kernel needs: packed (broadcast) A block, packed B block and one C tile. */
export const SCRATCH_BYTES = BLOCKS.MC * BLOCKS.KC * A_VALUE + (BLOCKS.KC * BLOCKS.NC + MR * NR) * 4;
