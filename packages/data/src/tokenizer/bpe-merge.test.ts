import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bpeMerge, type MergeTable } from "./bpe-merge.js";

/** Merge table over symbols 0..3 with merges given as [a, b] → new id 4, 5, ... */
function table(merges: [number, number][]): MergeTable {
  const stride = 4 + merges.length;
  const ranks = new Map<number, number>();
  merges.forEach(([a, b], r) => ranks.has(a * stride + b) || ranks.set(a * stride + b, r));
  return { ranks, mergedIds: Int32Array.from(merges, (_, r) => 4 + r), stride };
}

describe("bpeMerge", () => {
  it("applies the lowest-rank pair first, left to right", () => {
    const t = table([[0, 0], [4, 0], [1, 2]]); // 4 = 00, 5 = 000, 6 = 12
    expect([...bpeMerge(Int32Array.of(0, 0, 0, 1, 2), t)]).toEqual([5, 6]);
    expect([...bpeMerge(Int32Array.of(0, 0, 0, 0), t)]).toEqual([4, 4]);
  });

  it("the heap path for long words agrees with the plain scan", () => {
    // Random merge lists that only use ids existing at their rank; words long enough to take the heap path.
    const mergesArb = fc.integer({ min: 1, max: 12 }).chain((n) =>
      fc.tuple(...Array.from({ length: n }, (_, r) => fc.tuple(fc.nat(3 + r), fc.nat(3 + r)))),
    );
    fc.assert(
      fc.property(mergesArb, fc.array(fc.nat(3), { minLength: 1, maxLength: 40 }), (merges, word) => {
        const t = table(merges as [number, number][]);
        const long = Array.from({ length: Math.ceil(65 / word.length) }, () => word).flat();
        expect(long.length).toBeGreaterThan(64);
        const viaHeap = [...bpeMerge(Int32Array.from(long), t)];
        // Reference: the naive algorithm written out again.
        let s = long;
        for (;;) {
          let best = Infinity;
          s.forEach((x, i) => {
            const r = i + 1 < s.length ? t.ranks.get(x * t.stride + s[i + 1]!) : undefined;
            if (r !== undefined && r < best) best = r;
          });
          if (best === Infinity) break;
          const [a, b] = merges[best]!;
          const out: number[] = [];
          for (let i = 0; i < s.length; ) {
            if (i + 1 < s.length && s[i] === a && s[i + 1] === b) (out.push(t.mergedIds[best]!), (i += 2));
            else out.push(s[i++]!);
          }
          s = out;
        }
        expect(viaHeap).toEqual(s);
      }),
      { numRuns: 300 },
    );
  });
});
