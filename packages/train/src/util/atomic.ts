/**
 * @file kiln's file-writing rules, re-exported for the trainer's modules:
 * whole-file replacement by rename (`writeFileAtomic`), flushed writes into
 * a directory that is itself renamed into place (`writeFileDurable`), and
 * directory flushes (`fsyncDir`). They live in @kiln/tensor, which saves
 * safetensors with them.
 */
export { fsyncDir, writeFileAtomic, writeFileDurable } from "@kiln/tensor";
