/**
 * @file "Did you mean …?" for a mistyped name: the known name nearest by
 * edit distance (Levenshtein), when near enough to be a likely typo. Used
 * for config fields here and in @kiln/train (config keys, options, commands).
 */

/** The entry of `known` nearest to `key` by edit distance (case-insensitive), when near enough to be a likely typo. */
export function closest(key: string, known: readonly string[]): string | undefined {
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = d[0]!;
      d[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const tmp = d[j]!;
        d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = tmp;
      }
    }
    return d[b.length]!;
  };
  const best = known.map((k) => [k, dist(key.toLowerCase(), k.toLowerCase())] as const).sort((a, b) => a[1] - b[1])[0];
  return best && best[1] <= Math.max(2, key.length / 3) ? best[0] : undefined;
}
