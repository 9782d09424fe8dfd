/**
 * @file Ctrl-C for the commands that train: the first press asks the active
 * runs to checkpoint and stop (a later run of the same command resumes), a
 * second quits at once.
 */

/** Runs `body` with a signal that the first SIGINT aborts; `what` says what stopping does. */
export async function withSigint<T>(log: (line: string) => void, what: string, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    log(`\nCtrl-C: ${what} (press again to quit at once); run the same command again to resume`);
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  try {
    return await body(controller.signal);
  } finally {
    process.off("SIGINT", onSigint);
  }
}
