import { fmt } from './shape.js';
import { Tensor } from './tensor.js';

// Argument checks shared by the ops layer and the packages built on it, so that every op words
// a bad argument the same way.

/** A short description of a value for error messages: `tensor of shape [2,3] (float32)`, `number 1`. */
export function describeValue(x: unknown): string {
  if (x instanceof Tensor) return `tensor of shape ${fmt(x.shape)} (${x.dtype})`;
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'an array';
  return typeof x === 'object' ? 'an object' : `${typeof x} ${String(x)}`;
}

/**
 * Returns `t` when it is a tensor that has not been disposed; otherwise throws a TypeError naming
 * `op` and the argument (`what`), or the use-after-dispose error.
 */
export function checkTensor(op: string, t: unknown, what = 'input'): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${what} must be a tensor, got ${describeValue(t)}`);
  t.storage(op);
  return t;
}
