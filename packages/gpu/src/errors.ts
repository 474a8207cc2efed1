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

/**
 * Codes of kernels that report through the device's error buffer: index-checking kernels, and
 * integer division and remainder, which report a zero divisor (`div` and `remainder` below).
 */
export const INDEX_OPS = [
  '',
  'gather',
  'scatter',
  'scatterAdd',
  'indexSelect',
  'indexAdd',
  'maxPool2dBackward',
  'div',
  'remainder',
] as const;

/** Error-buffer codes of integer division and remainder (a zero divisor). */
export const DIV_CODE = INDEX_OPS.indexOf('div');
export const REM_CODE = INDEX_OPS.indexOf('remainder');

/** The error for an index outside [0, size), worded as the CPU backend words it. */
export function indexError(op: string, value: number, dim: number, size: number): RangeError {
  const range = size === 0 ? 'none: the dim is empty' : `0..${size - 1}`;
  return new RangeError(
    `${op}: index ${value} is out of range for dim ${dim} of size ${size} (valid range ${range}); ` +
      'found on the GPU, reported at the next read (the offending element was skipped)',
  );
}

/** The user-level op (see `withOpContext` in @tessera/tensor) that queued a checking dispatch. */
export interface UserOp {
  readonly name: string;
  /** Its tensors' shapes in words, e.g. `input [4,10], target [4]`. */
  readonly shapes: string;
}

/**
 * The error a kernel reported through the error buffer: `code` (an INDEX_OPS position), then the
 * bad index (or, for a zero divisor, the flat position of the output element), dim and size.
 * With `user`, the message names the op the user called and its shapes, then the internal op.
 */
export function reportedError(
  code: number,
  value: number,
  dim: number,
  size: number,
  user: UserOp | null = null,
): RangeError {
  const op = INDEX_OPS[code] ?? 'index';
  const found = 'found on the GPU, reported at the next read';
  if (op === 'div' || op === 'remainder') {
    const what = `integer division by zero (the divisor of output element ${value}, in flat order, is 0)`;
    return new RangeError(
      user === null
        ? `${op}: ${what}; ${found} (that element was set to 0)`
        : `${user.name}: ${what} in its internal ${op} (${user.shapes}); ${found} (that element was set to 0)`,
    );
  }
  if (user === null) return indexError(op, value, dim, size);
  const range = size === 0 ? 'none: the dim is empty' : `0..${size - 1}`;
  return new RangeError(
    `${user.name}: index ${value} is out of range for dim ${dim} of size ${size} (valid range ${range}) ` +
      `in its internal ${op} (${user.shapes}); ${found} (the offending element was skipped)`,
  );
}
