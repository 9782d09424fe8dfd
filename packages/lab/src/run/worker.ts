/**
 * @file A local worker process (started by local.ts): claims and trains
 * runs of the plan directory in argv[2] until none is left, printing one line
 * per run it starts and ends. Its first SIGINT asks the active run to
 * checkpoint and stop (the claim is given back); further ones are ignored
 * while it does.
 */
import { workerLoop } from "./local.js";

const controller = new AbortController();
process.on("SIGINT", () => controller.abort());
try {
  await workerLoop(process.argv[2]!, controller.signal, (line) => console.log(line));
} catch (e) {
  console.error((e as Error).message.split("\n")[0]);
  process.exitCode = 1;
}
