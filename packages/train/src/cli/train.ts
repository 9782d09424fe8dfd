/**
 * @file `kiln train`: trains from a config (or resumes a run directory),
 * printing the summary, live progress, evaluations, and at the end the
 * validation loss beside the unigram baseline and a few samples.
 */
import { basename, join } from "node:path";
import { loadTrainConfig } from "../config/train-config.js";
import { finalLine } from "../eval/report-line.js";
import { Trainer } from "../trainer.js";
import { formatCount, formatDuration, Progress } from "../util/progress.js";
import type { Command } from "./main.js";

export const trainCommand: Command = {
  usage: `usage: kiln train --config FILE [--set key=value ...] [--out DIR]
       kiln train --resume RUN_DIR

  --config FILE     training config (JSON; see configs/train/)
  --set key=value   override a config field, e.g. --set optim.lr=3e-4 --set train.steps=100
  --out DIR         run directory (default runs/<config name>)
  --resume DIR      continue the run in DIR from its last checkpoint`,
  options: {
    config: { type: "string" },
    set: { type: "string", multiple: true },
    out: { type: "string" },
    resume: { type: "string" },
  },
  async run(values) {
    const progress = new Progress();
    const io = { log: (line: string) => progress.log(line), progress };
    let trainer: Trainer;
    if (typeof values.resume === "string") {
      if (values.config !== undefined || values.set !== undefined) throw new Error("--resume continues a run with its saved config; drop --config/--set");
      trainer = Trainer.resume(values.resume, io);
    } else {
      if (typeof values.config !== "string") throw new Error("--config FILE is required (or --resume DIR); see kiln train --help");
      const config = loadTrainConfig(values.config, (values.set as string[] | undefined) ?? []);
      const out = typeof values.out === "string" ? values.out : join("runs", config.name === "run" ? basename(values.config, ".json") : config.name);
      trainer = Trainer.create(config, out, io);
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
      io.log(`checkpoint: ${join(trainer.outDir, "checkpoint")}`);
      result.samples.forEach((s, i) => io.log(`\n--- sample ${i + 1} ---\n${s}`));
      return 0;
    } finally {
      process.off("SIGINT", onSigint);
    }
  },
};
