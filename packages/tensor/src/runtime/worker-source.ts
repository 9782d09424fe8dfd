/**
 * @file The worker entry as a plain JavaScript string, started with `new Worker(src, { eval: true })`
 * so it runs the same under tsx, vitest and compiled JS (a `.ts` worker URL fails under tsx with
 * ERR_UNKNOWN_FILE_EXTENSION). It instantiates the kernel module on the shared wasm memory, then
 * sleeps in `Atomics.wait` until the main thread posts a job and takes the job's tasks one at a
 * time from a shared table, as the main thread does, until none are left (see worker-pool.ts).
 */

/** Shared control words (int32 indices): the job sequence number workers sleep on. */
export const JOB = 0;
/** Tasks in the current job. */
export const COUNT = 1;
/** The next task to take: `(job & 0xffff) << 16 | index`, so a claim for an older job fails. */
export const NEXT = 2;
/** Tasks of the current job finished (by any thread). */
export const FINISHED = 3;
/** Slot of a worker whose task failed in the current job (0: none). */
export const FAILED = 4;
/** Index of worker `slot`'s ready word: -1 while it starts, 1 once it serves jobs. */
export const READY = 16;
/** Maximum number of workers. */
export const MAX_WORKERS = 255;
/** The task table: task i's argument count at `TASKS + i·TASK_WORDS`, its arguments after it. */
export const TASKS = READY + MAX_WORKERS + 1;
/** Maximum number of int32 arguments a task may carry. */
export const MAX_ARGS = 15;
/** Int32 words per task (count + arguments). */
export const TASK_WORDS = MAX_ARGS + 1;
/** Maximum number of tasks in one job. */
export const MAX_TASKS = 256;
/** Int32 words of the control array. */
export const CTL_WORDS = TASKS + MAX_TASKS * TASK_WORDS;

/**
 * `claim(ctl, job)`: takes the next untaken task of job `job`, or -1 when none is left. Kept as
 * source so the workers and the main thread (worker-pool.ts) run the same text.
 */
export const CLAIM_SOURCE = `function claim(ctl, job) {
  for (;;) {
    const v = Atomics.load(ctl, ${NEXT});
    if (v >>> 16 !== (job & 0xffff) || (v & 0xffff) >= ctl[${COUNT}]) return -1;
    if (Atomics.compareExchange(ctl, ${NEXT}, v, v + 1) === v) return v & 0xffff;
  }
}`;

/** Source of the worker: `workerData = { module, memory, ctl, slot, scratch, entry }`. */
export const WORKER_SOURCE = `
"use strict";
const { workerData } = require("node:worker_threads");
const { module, memory, ctl, slot, scratch, entry } = workerData;
const fn = new WebAssembly.Instance(module, { env: { memory } }).exports[entry];
${CLAIM_SOURCE}
const args = [];
let job = Atomics.load(ctl, ${JOB});
Atomics.store(ctl, ${READY} + slot, 1);
Atomics.notify(ctl, ${READY} + slot);
for (;;) {
  Atomics.wait(ctl, ${JOB}, job);
  job = Atomics.load(ctl, ${JOB});
  for (let i = claim(ctl, job); i >= 0; i = claim(ctl, job)) {
    const count = ctl[${COUNT}];
    const at = ${TASKS} + i * ${TASK_WORDS};
    args.length = 0;
    for (let a = 1; a <= ctl[at]; a++) args.push(ctl[at + a]);
    args.push(scratch);
    try {
      fn(...args);
    } catch (err) {
      ctl[${FAILED}] = slot;
      console.error("kiln worker " + slot + ": " + String(err));
    }
    if (Atomics.add(ctl, ${FINISHED}, 1) + 1 === count) Atomics.notify(ctl, ${FINISHED});
  }
}
`;
