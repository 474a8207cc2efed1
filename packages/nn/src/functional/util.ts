import { checkTensor, formatShape as fmt, isFloating as isFloat, type Tensor } from '@tessera/tensor';

// From the backend kit: `fmt` formats a shape the way errors print it (`[2,3]`), `isFloat` says
// whether a dtype is floating point, `checkTensor` returns its argument when it is a live tensor.
export { checkTensor, formatShape as fmt, isFloating as isFloat } from '@tessera/tensor';

/** Checks that `t` is a floating-point tensor. */
export function checkFloat(op: string, t: unknown, what = 'input'): Tensor {
  const x = checkTensor(op, t, what);
  if (!isFloat(x.dtype)) {
    throw new TypeError(
      `${op}: ${what} must be a floating-point tensor, got ${x.dtype} (shape ${fmt(x.shape)})`,
    );
  }
  return x;
}

/** Checks that `t` has one of the allowed numbers of dims. */
export function checkNdim(
  op: string,
  t: Tensor,
  allowed: readonly number[],
  layout: string,
  what = 'input',
): void {
  if (!allowed.includes(t.ndim)) {
    throw new RangeError(`${op}: ${what} must be ${layout}, got shape ${fmt(t.shape)}`);
  }
}

/** Checks two shapes are equal, with an error naming both. */
export function checkSameShape(op: string, a: Tensor, b: Tensor, an = 'input', bn = 'target'): void {
  if (a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new RangeError(
      `${op}: ${an} shape ${fmt(a.shape)} and ${bn} shape ${fmt(b.shape)} must be the same`,
    );
  }
}

/** Checks a positive integer option. */
export function checkPositiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new RangeError(`${op}: ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Checks a probability in [0, 1]. */
export function checkProbability(op: string, name: string, p: unknown): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new RangeError(`${op}: ${name} must be a probability in [0, 1], got ${JSON.stringify(p)}`);
  }
  return p;
}

/** Loss reductions. */
export type Reduction = 'mean' | 'sum' | 'none';

/** Validates a reduction name. */
export function checkReduction(op: string, r: unknown, extra: readonly string[] = []): void {
  const ok = ['mean', 'sum', 'none', ...extra];
  if (typeof r !== 'string' || !ok.includes(r)) {
    throw new RangeError(
      `${op}: reduction must be one of ${ok.map((s) => `'${s}'`).join(', ')}, got ${JSON.stringify(r)}`,
    );
  }
}

/** Applies a reduction to an elementwise loss. */
export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? loss.sum() : loss.mean();
}

/** Whether the tensor's values can be read synchronously (for input validation). */
export function readable(t: Tensor): boolean {
  return t.device === 'cpu';
}

/** Reads an int-or-tuple option of `n` entries. */
export function tuple(op: string, name: string, v: unknown, n: number, min: number): number[] {
  const arr = typeof v === 'number' ? new Array<number>(n).fill(v) : v;
  if (!Array.isArray(arr) || arr.length !== n || !arr.every((x) => Number.isInteger(x) && x >= min)) {
    throw new RangeError(
      `${op}: ${name} must be an integer >= ${min} or ${n} of them, got ${JSON.stringify(v)}`,
    );
  }
  return arr as number[];
}
