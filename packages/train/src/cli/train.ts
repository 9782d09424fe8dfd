/**
 * @file `kiln train`: trains from a config (or resumes a run directory),
 * printing the summary, live progress, evaluations, and at the end the
 * validation loss beside the unigram baseline and a few samples.
 */
import { basename, join } from "node:path";
import { RESUMABLE_KEYS } from "../checkpoint/resume-config.js";
import { existingRun, latestCheckpoint } from "../checkpoint/store.js";
import { loadTrainConfig } from "../config/train-config.js";
import { finalLine } from "../eval/report-line.js";
import { Trainer } from "../trainer.js";
import { formatCount, formatDuration, Progress } from "../util/progress.js";
import { UsageError } from "./args.js";
import type { Command } from "./command.js";

export const trainCommand: Command = {
  usage: `usage: kiln train --config FILE [--set key=value ...] [--out DIR] [--overwrite]
       kiln train FILE ...             (a lone path is the --config)
       kiln train --resume RUN_DIR [--set key=value ...]

  --config FILE     training config (JSON; see configs/train/)
  --set key=value   override a config field, e.g. --set optim.lr=3e-4 --set train.steps=100
  --out DIR         run directory (default runs/<config name>); one that already
                    holds a run is refused unless --overwrite
  --overwrite       delete the run already in --out (its checkpoints and metrics) first
  --resume DIR      continue the run in DIR from its newest complete checkpoint.
                    --set may change only ${RESUMABLE_KEYS.join(", ")}:
                    raising train.steps extends a finished run (the learning-rate
                    schedule is then stretched to the new length)`,
  options: {
    config: { type: "string" },
    set: { type: "string", multiple: true },
    out: { type: "string" },
    resume: { type: "string" },
    overwrite: { type: "boolean" },
  },
  positional: () => "config",
  async run(values) {
    const progress = new Progress();
    const io = { log: (line: string) => progress.log(line), progress };
    const overrides = (values.set as string[] | undefined) ?? [];
    let trainer: Trainer;
    if (typeof values.resume === "string") {
      if (values.config !== undefined || values.out !== undefined || values.overwrite !== undefined) throw new UsageError("--resume continues a run with its saved config and directory; drop --config/--out/--overwrite");
      trainer = Trainer.resume(values.resume, io, undefined, overrides);
    } else {
      if (typeof values.config !== "string") throw new UsageError("--config FILE is required (or --resume DIR); see kiln train --help");
      const config = loadTrainConfig(values.config, overrides);
      const out = typeof values.out === "string" ? values.out : join("runs", config.name === "run" ? basename(values.config, ".json") : config.name);
      const found = existingRun(out);
      if (found.length > 0) {
        if (values.overwrite !== true) {
          throw new UsageError(`${out} already holds a run (${found.join(", ")}); continue it with --resume ${out}, choose another --out, or pass --overwrite to replace it`);
        }
        io.log(`--overwrite: deleting the previous run's checkpoints and metrics in ${out}`);
      }
      trainer = Trainer.create(config, out, io, undefined, { overwrite: values.overwrite === true });
    }
    for (const line of trainer.describe()) io.log(line);
    io.log(`run directory: ${trainer.outDir}`);
    const onSigint = () => {
      if (trainerStopping) process.exit(130);
      trainerStopping = true;
      io.log("\nCtrl-C: finishing this step and saving a checkpoint (press again to quit at once)");
      trainer.requestStop();
    };
    let trainerStopping = false;
    process.on("SIGINT", onSigint);
    try {
      const result = await trainer.run();
      if (result.status === "interrupted") {
        io.log(`resume with: kiln train --resume ${trainer.outDir}`);
        return 130;
      }
      io.log(`done: ${result.step} steps in ${formatDuration(result.elapsed)}, ${formatCount(result.tokensPerSec)} tok/s`);
      io.log(finalLine(result, trainer));
      io.log(`checkpoint: ${latestCheckpoint(trainer.outDir)}`);
      result.samples.forEach((s, i) => io.log(`\n--- sample ${i + 1} ---\n${s}`));
      return 0;
    } finally {
      process.off("SIGINT", onSigint);
    }
  },
};
