import { describe, expect, it } from "vitest";
import { corpusHash } from "./corpus.js";
import { sotuCorpus } from "./sotu.js";

describe("sotuCorpus", () => {
  const c = sotuCorpus();

  it("reads every address with its year, president and party", () => {
    expect(c.name).toBe("sotu");
    expect(c.documents.length).toBe(233);
    expect(c.documents[0]).toMatchObject({ id: "1790_george_washington_n", year: 1790, president: "George Washington", party: "none" });
    expect(c.documents.find((d) => d.year === 1862)).toMatchObject({ president: "Abraham Lincoln", party: "Republican" });
    expect(c.documents[0]!.text.startsWith("Fellow-Citizens of the Senate")).toBe(true);
    const bytes = c.documents.reduce((s, d) => s + Buffer.byteLength(d.text), 0);
    expect(bytes).toBeGreaterThan(10_000_000);
    expect(c.documents.every((d) => d.text === d.text.trimEnd() && d.text.length > 1000)).toBe(true);
  });

  it("is chronological and splits off every 20th whole address as validation", () => {
    const years = c.documents.map((d) => d.year);
    expect(years).toEqual([...years].sort((a, b) => a - b));
    expect(c.val.length).toBe(11);
    expect(c.val.map((d) => c.documents.indexOf(d))).toEqual([19, 39, 59, 79, 99, 119, 139, 159, 179, 199, 219]);
    expect(c.train.length + c.val.length).toBe(233);
    const trainIds = new Set(c.train.map((d) => d.id));
    expect(c.val.some((d) => trainIds.has(d.id))).toBe(false);
  });

  it("is deterministic and configurable", () => {
    expect(corpusHash(sotuCorpus().val)).toBe(corpusHash(c.val));
    expect(sotuCorpus({ valEvery: 10 }).val.length).toBe(23);
    expect(() => sotuCorpus({ dataDir: "/nonexistent/sotu" })).toThrow(/cannot list "\/nonexistent\/sotu"/);
  });
});
