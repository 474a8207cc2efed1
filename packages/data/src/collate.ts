import { stack, Tensor, tensor } from '@tessera/tensor';
import { describeValue } from './random.js';

type NumericArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint8Array
  | Int8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array;

/**
 * The batch type `defaultCollate` makes from samples of type T: tensors, numbers, booleans and
 * typed arrays become one tensor with a new leading batch dim; strings a string[]; arrays and
 * objects are collated field by field.
 */
export type Collated<T> = T extends Tensor | number | boolean | NumericArray
  ? Tensor
  : T extends string
    ? string[]
    : T extends readonly unknown[]
      ? { [K in keyof T]: Collated<T[K]> }
      : T extends object
        ? { [K in keyof T]: Collated<T[K]> }
        : never;

/** A function turning a list of samples into a batch. */
export type CollateFn<T, B> = (samples: T[]) => B;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function where(path: string): string {
  return path === '' ? '' : ` at ${path}`;
}

function collateAt(samples: unknown[], path: string): unknown {
  const first = samples[0];
  const kindOf = (x: unknown): string =>
    x === null
      ? 'null'
      : x instanceof Tensor
        ? 'tensor'
        : ArrayBuffer.isView(x)
          ? 'typed'
          : Array.isArray(x)
            ? 'array'
            : isPlainObject(x)
              ? 'object'
              : typeof x;
  const kind = kindOf(first);
  for (let k = 1; k < samples.length; k++) {
    if (kindOf(samples[k]) !== kind) {
      throw new TypeError(
        `defaultCollate: sample ${k}${where(path)} is ${describeValue(samples[k])} but sample 0 is ${describeValue(first)}`,
      );
    }
  }
  switch (kind) {
    case 'tensor': {
      const ts = samples as Tensor[];
      const ref = ts[0]!;
      for (let k = 1; k < ts.length; k++) {
        const t = ts[k]!;
        if (t.shape.length !== ref.shape.length || t.shape.some((d, i) => d !== ref.shape[i])) {
          throw new RangeError(
            `defaultCollate: tensors${where(path)} must have equal shapes to be stacked, but sample 0 has shape [${ref.shape.join(',')}] and sample ${k} has shape [${t.shape.join(',')}]`,
          );
        }
        if (t.dtype !== ref.dtype) {
          throw new TypeError(
            `defaultCollate: tensors${where(path)} differ in dtype: sample 0 is ${ref.dtype}, sample ${k} is ${t.dtype}`,
          );
        }
      }
      return stack(ts, 0);
    }
    case 'number': {
      const xs = samples as number[];
      return tensor(xs, { dtype: xs.every(Number.isInteger) ? 'int32' : 'float32' });
    }
    case 'boolean':
      return tensor(samples as boolean[], { dtype: 'bool' });
    case 'string':
      return [...(samples as string[])];
    case 'typed': {
      const ts = samples.map((a) => tensor(a as NumericArray));
      const out = collateAt(ts, path);
      for (const t of ts) t.dispose();
      return out;
    }
    case 'array': {
      const arrs = samples as unknown[][];
      const n = arrs[0]!.length;
      const bad = arrs.findIndex((a) => a.length !== n);
      if (bad >= 0) {
        throw new RangeError(
          `defaultCollate: sample ${bad}${where(path)} has ${arrs[bad]!.length} elements but sample 0 has ${n}; each sample must have the same structure`,
        );
      }
      const out: unknown[] = new Array(n);
      for (let j = 0; j < n; j++)
        out[j] = collateAt(
          arrs.map((a) => a[j]),
          `${path}[${j}]`,
        );
      return out;
    }
    case 'object': {
      const objs = samples as Record<string, unknown>[];
      const keys = Object.keys(objs[0]!);
      const out: Record<string, unknown> = {};
      objs.forEach((o, k) => {
        const ks = Object.keys(o);
        if (ks.length !== keys.length || !keys.every((key) => key in o)) {
          throw new TypeError(
            `defaultCollate: sample ${k}${where(path)} has keys {${ks.join(', ')}} but sample 0 has {${keys.join(', ')}}`,
          );
        }
      });
      for (const key of keys)
        out[key] = collateAt(
          objs.map((o) => o[key]),
          `${path}.${key}`,
        );
      return out;
    }
    default:
      throw new TypeError(
        `defaultCollate: cannot batch ${describeValue(first)}${where(path)}; samples may hold tensors, numbers, booleans, strings, typed arrays, and arrays or plain objects of those (or pass a custom collate)`,
      );
  }
}

/**
 * PyTorch's `default_collate`: stacks a list of samples into a batch. Tensors (and typed arrays)
 * are stacked along a new dim 0; numbers become a 1-D tensor (int32 when every number in the
 * batch is an integer, else float32: return 0-d tensors from `get` for a fixed dtype); booleans
 * a bool tensor; strings stay a string[]; arrays/tuples and plain objects are collated element by
 * element, so `[x, y]` samples give an `[xs, ys]` batch.
 */
export function defaultCollate<T>(samples: readonly T[]): Collated<T> {
  if (!Array.isArray(samples) || samples.length === 0) {
    throw new RangeError('defaultCollate: expected a non-empty array of samples');
  }
  return collateAt(samples as unknown[], '') as Collated<T>;
}
