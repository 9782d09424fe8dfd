/**
 * @file Grad mode: whether ops record the graph (`torch.no_grad`).
 */

let enabled = true;

/** Whether ops currently record autograd history. */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Turns recording on or off globally; returns the previous setting. */
export function setGradEnabled(on: boolean): boolean {
  const prev = enabled;
  enabled = on;
  return prev;
}

/** Runs `fn` without recording autograd history (`torch.no_grad()`). */
export function noGrad<T>(fn: () => T): T {
  const prev = setGradEnabled(false);
  try {
    return fn();
  } finally {
    setGradEnabled(prev);
  }
}

/** Runs `fn` with recording on, even inside {@link noGrad} (`torch.enable_grad()`). */
export function enableGrad<T>(fn: () => T): T {
  const prev = setGradEnabled(true);
  try {
    return fn();
  } finally {
    setGradEnabled(prev);
  }
}
