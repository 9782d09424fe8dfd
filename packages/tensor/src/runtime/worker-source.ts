/**
 * @file The worker entry as a plain JavaScript string, started with `new Worker(src, { eval: true })`
 * so it runs the same under tsx, vitest and compiled JS (a `.ts` worker URL fails under tsx with
 * ERR_UNKNOWN_FILE_EXTENSION). It instantiates the kernel module on the shared wasm memory and
 * then serves calls posted through a shared Int32Array mailbox, sleeping in `Atomics.wait`.
 */

/** Int32 slots per worker mailbox (two 64-byte cache lines: main writes one, the worker the other). */
export const SLOT = 32;
/** Mailbox layout: job sequence number, argument count, then the arguments. */
export const SEQ = 0;
/** Index of the argument count in a mailbox. */
export const NARGS = 1;
/** Index of the first argument in a mailbox. */
export const ARGS = 2;
/** Maximum number of int32 arguments a job may carry. */
export const MAX_ARGS = 14;
/** Index of the last finished sequence number, written by the worker (-1 until it is ready). */
export const DONE = 16;
/** Index of the status of the last job: 0 ok, 1 failed. */
export const STATUS = 17;

/** Source of the worker: `workerData = { module, memory, ctl, slot, scratch, entry }`. */
export const WORKER_SOURCE = `
"use strict";
const { workerData } = require("node:worker_threads");
const { module, memory, ctl, slot, scratch, entry } = workerData;
const fn = new WebAssembly.Instance(module, { env: { memory } }).exports[entry];
const base = slot * ${SLOT};
const args = [];
let seq = 0;
Atomics.store(ctl, base + ${DONE}, 0);
Atomics.notify(ctl, base + ${DONE});
for (;;) {
  Atomics.wait(ctl, base + ${SEQ}, seq);
  seq = Atomics.load(ctl, base + ${SEQ});
  const n = ctl[base + ${NARGS}];
  args.length = 0;
  for (let i = 0; i < n; i++) args.push(ctl[base + ${ARGS} + i]);
  args.push(scratch);
  let status = 0;
  try {
    fn(...args);
  } catch (err) {
    status = 1;
    console.error("kiln worker " + slot + ": " + String(err));
  }
  ctl[base + ${STATUS}] = status;
  Atomics.store(ctl, base + ${DONE}, seq);
  Atomics.notify(ctl, base + ${DONE});
}
`;
