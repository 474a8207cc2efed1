/**
 * Dawn (the `webgpu` package) prints two warnings straight to the process's stderr whenever it
 * creates an adapter on Mesa's lavapipe, which reports unbounded dynamic-buffer limits:
 *
 *   Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 ...
 *
 * They are harmless (the limits are still far above what the kernels use) and, written by native
 * code, cannot be silenced inside the test worker. Vitest pipes each worker's stderr into the main
 * process's process.stderr, so this global setup (vitest.config.ts) drops exactly these lines there.
 */

const DAWN_LIMIT_WARNING =
  /^Warning: maxDynamic\w+PerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.\r?\n/gm;

/** `text` without Dawn's "artificially reduced" limit warnings (whole lines only; the rest kept as is). */
export function withoutDawnLimitWarnings(text: string): string {
  return text.replace(DAWN_LIMIT_WARNING, '');
}

type Write = typeof process.stderr.write;

/**
 * Wraps `stream.write` so that Dawn's limit warnings are dropped; everything else is written
 * unchanged (same chunk, encoding and callback). Returns a function that restores the original.
 */
export function filterDawnLimitWarnings(stream: NodeJS.WriteStream = process.stderr): () => void {
  const original = stream.write;
  const write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    const text =
      typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString() : null;
    if (text === null || !text.includes('artificially reduced')) {
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    }
    const kept = withoutDawnLimitWarnings(text);
    if (kept === '') {
      const callback = rest.find((r): r is (err?: Error | null) => void => typeof r === 'function');
      if (callback) process.nextTick(callback);
      return true;
    }
    const encodingFree = rest.filter((r) => typeof r === 'function');
    return (original as (...a: unknown[]) => boolean).call(this, kept, ...encodingFree);
  };
  stream.write = write as Write;
  return () => {
    stream.write = original;
  };
}

/** Vitest global setup (main process): installs the filter for the whole run. */
export default function setup(): () => void {
  return filterDawnLimitWarnings();
}
