/**
 * Errors of the webgpu backend. GPU work runs asynchronously, so problems found by the GPU
 * (validation errors, out-of-range indices, device loss) are reported at the next `await` that
 * waits for the GPU: `t.data()`, `t.array()`, `sync()`. Each message says what happened, which op
 * (in debug mode, with shapes) and what to do.
 */

/** Thrown when a tensor of a lost GPU device is used, or a read was cut short by the loss. */
export class DeviceLostError extends Error {
  constructor(
    readonly reason: string,
    readonly detail: string,
    op?: string,
  ) {
    super(
      `${op ? `${op}: ` : ''}the WebGPU device was lost (${reason}${detail ? `: ${detail}` : ''}); ` +
        'its tensors are gone. Call `await initWebGPU()` again and recreate them, ' +
        "or continue on the CPU with setBackend('cpu')",
    );
    this.name = 'DeviceLostError';
  }
}

/** A WebGPU validation / out-of-memory / internal error, attributed to an op where known. */
export class WebGPUError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebGPUError';
  }
}

/** Codes of index-checking kernels, reported through the device's error buffer. */
export const INDEX_OPS = [
  '',
  'gather',
  'scatter',
  'scatterAdd',
  'indexSelect',
  'indexAdd',
  'maxPool2dBackward',
] as const;

/** The error for an index outside [0, size), worded as the CPU backend words it. */
export function indexError(op: string, value: number, dim: number, size: number): RangeError {
  const range = size === 0 ? 'none: the dim is empty' : `0..${size - 1}`;
  return new RangeError(
    `${op}: index ${value} is out of range for dim ${dim} of size ${size} (valid range ${range}); ` +
      'found on the GPU, reported at the next read (the offending element was skipped)',
  );
}
