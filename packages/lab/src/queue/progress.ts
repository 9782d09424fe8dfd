/**
 * @file The live line of a run inside a study: the trainer's own line
 * (step, loss, tok/s, the run's ETA) behind a prefix that says which run of
 * how many this is and when the whole study should be done.
 */
import { Progress } from "@kiln/train";

/** A Progress that prefixes every live line (e.g. `[3/12 c2.36e11-d32L2 | study ETA 4m10s]`) and forwards it, with permanent lines, to `inner`. */
export class RunProgress extends Progress {
  constructor(private readonly inner: Progress, private readonly prefix: () => string) {
    super({ write: () => true });
  }

  override update(line: string, force = false): void {
    this.inner.update(`${this.prefix()} ${line}`, force);
  }

  override log(line: string): void {
    this.inner.log(line);
  }

  override done(): void {
    this.inner.done();
  }
}
