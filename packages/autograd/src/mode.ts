/**
 * Global switches of the autograd package: grad mode (record or not), the nesting depth of
 * recorded ops (ops run inside a recorded op's computation are not recorded) and anomaly mode.
 */

/** Mutable mode state shared by the observer, the engine and the public API. */
export const mode = {
  /** Whether ops on tensors that require grad are recorded. */
  gradEnabled: true,
  /** > 0 while a recorded op computes: nested ops are internal to it and not recorded. */
  depth: 0,
  /** Whether backward checks every computed gradient for NaN/Inf (see `detectAnomaly`). */
  anomaly: false,
};

/** Whether ops are currently recorded for differentiation. */
export function isGradEnabled(): boolean {
  return mode.gradEnabled;
}

/** Turns recording on or off globally; returns the previous setting. */
export function setGradEnabled(enabled: boolean): boolean {
  const prev = mode.gradEnabled;
  mode.gradEnabled = enabled;
  return prev;
}

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = mode.gradEnabled;
  mode.gradEnabled = enabled;
  try {
    const r = fn();
    if (r instanceof Promise) {
      throw new Error(
        `${enabled ? 'enableGrad' : 'noGrad'}: the function returned a Promise; grad mode is global and ` +
          'cannot follow async code. Await inside and call setGradEnabled() explicitly instead.',
      );
    }
    return r;
  } finally {
    mode.gradEnabled = prev;
  }
}

/** Runs `fn` without recording ops (PyTorch's `torch.no_grad()`): results do not require grad. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with recording on, even inside `noGrad` (PyTorch's `torch.enable_grad()`). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/** Whether anomaly detection is on. */
export function isAnomalyEnabled(): boolean {
  return mode.anomaly;
}

/**
 * Turns anomaly detection on or off; returns the previous setting. When on, each recorded op
 * remembers where it was called from, and backward raises an error at the first gradient that
 * contains NaN or Inf, naming the forward op responsible. Slow: for debugging only.
 */
export function setDetectAnomaly(enabled: boolean): boolean {
  const prev = mode.anomaly;
  mode.anomaly = enabled;
  return prev;
}

/** Runs `fn` with anomaly detection on (see `setDetectAnomaly`). */
export function detectAnomaly<T>(fn: () => T): T {
  const prev = setDetectAnomaly(true);
  try {
    return fn();
  } finally {
    mode.anomaly = prev;
  }
}
