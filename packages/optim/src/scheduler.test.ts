/**
 * @file LRScheduler: applying the schedule, per-group scaling, saving and resuming.
 */
import { tensor } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { AdamW } from "./adam.js";
import { LRScheduler } from "./scheduler.js";
import { linearWarmup } from "./schedules.js";

const twoGroups = () =>
  new AdamW([{ params: [tensor([1], { requiresGrad: true })] }, { params: [tensor([2], { requiresGrad: true })], lr: 0.2 }], { lr: 0.1 });

describe("LRScheduler", () => {
  it("applies schedule(0) on construction and schedule(n) after n steps", () => {
    const opt = twoGroups();
    const sched = new LRScheduler(opt, linearWarmup({ peakLr: 0.1, warmupSteps: 3 }));
    expect(sched.stepCount).toBe(0);
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.025, 15);
    expect(sched.step()).toBeCloseTo(0.05, 15);
    sched.step();
    sched.step();
    expect(sched.stepCount).toBe(3);
    expect(sched.lr).toBe(0.1);
  });

  it("scales groups built with another lr in proportion to the default", () => {
    const opt = twoGroups();
    const sched = new LRScheduler(opt, linearWarmup({ peakLr: 0.1, warmupSteps: 3 }));
    sched.step();
    expect(sched.groupLrs[0]).toBeCloseTo(0.05, 15);
    expect(sched.groupLrs[1]).toBeCloseTo(0.1, 15);
  });

  it("saves one integer and resumes at the same lr", () => {
    const a = new LRScheduler(twoGroups(), linearWarmup({ peakLr: 0.1, warmupSteps: 10 }));
    for (let i = 0; i < 4; i++) a.step();
    const optB = twoGroups();
    const b = new LRScheduler(optB, linearWarmup({ peakLr: 0.1, warmupSteps: 10 }));
    b.loadStateDict(a.stateDict());
    expect(a.stateDict()).toEqual({ step: 4 });
    expect(b.groupLrs).toEqual(a.groupLrs);
    expect(() => b.loadStateDict({ step: -1 })).toThrow("LRScheduler.loadStateDict: expected { step: integer ≥ 0 }");
  });
});
