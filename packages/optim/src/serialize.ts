import { type DType, isFloating, Tensor, type TypedArray, tensor } from '@tessera/tensor';

/**
 * A tensor in a state dict: dtype, shape and the elements in row-major order. Non-finite
 * elements are written as the strings `'Infinity'`, `'-Infinity'` and `'NaN'`, so the whole
 * object survives `JSON.stringify` / `JSON.parse` unchanged.
 */
export interface SerializedTensor {
  dtype: DType;
  shape: number[];
  data: (number | string)[];
}

/** A JSON-safe number: finite numbers as they are, others as `'Infinity'`, `'-Infinity'`, `'NaN'`. */
export function encodeNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

const NON_FINITE: Readonly<Record<string, number>> = {
  Infinity: Infinity,
  '-Infinity': -Infinity,
  NaN: Number.NaN,
};

/** Whether `x` is one of the strings `encodeNumber` writes for non-finite numbers. */
function isNonFiniteString(x: unknown): x is string {
  return typeof x === 'string' && Object.hasOwn(NON_FINITE, x);
}

/** Inverse of `encodeNumber` (numbers pass through). */
export function decodeNumber(op: string, x: unknown): number {
  if (typeof x === 'number') return x;
  if (isNonFiniteString(x)) return NON_FINITE[x]!;
  throw new TypeError(`${op}: expected a number, got ${JSON.stringify(x)}`);
}

/**
 * Recursively replaces non-finite numbers by their string form (plain data only: numbers,
 * strings, booleans, null, arrays and plain objects).
 */
export function encodeJson(value: unknown): unknown {
  if (typeof value === 'number') return encodeNumber(value);
  if (Array.isArray(value)) return value.map(encodeJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeJson(v)]));
  }
  return value;
}

/** Inverse of `encodeJson`: the strings `'Infinity'`, `'-Infinity'`, `'NaN'` become numbers again. */
export function decodeJson(value: unknown): unknown {
  if (isNonFiniteString(value)) return NON_FINITE[value];
  if (Array.isArray(value)) return value.map(decodeJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeJson(v)]));
  }
  return value;
}

/** Serialises a tensor whose elements were already read (`data`, row-major). */
export function serializeTensor(t: Tensor, data: TypedArray): SerializedTensor {
  const out: (number | string)[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = encodeNumber(data[i]!);
  return { dtype: t.dtype, shape: [...t.shape], data: out };
}

/** Whether `x` looks like a `SerializedTensor`. */
export function isSerializedTensor(x: unknown): x is SerializedTensor {
  if (x === null || typeof x !== 'object') return false;
  const o = x as Record<string, unknown>;
  return typeof o.dtype === 'string' && Array.isArray(o.shape) && Array.isArray(o.data);
}

/**
 * Rebuilds a tensor from a `SerializedTensor` (or copies a tensor) onto `like`'s device. Floating
 * point data takes `like`'s dtype, as PyTorch casts optimizer state to its parameter's dtype.
 */
export function deserializeTensor(op: string, x: SerializedTensor | Tensor, like: Tensor): Tensor {
  if (x instanceof Tensor) {
    const dtype = isFloating(x.dtype) ? like.dtype : x.dtype;
    let t = x.device === like.device ? x : x.to(like.device);
    if (t.dtype !== dtype) {
      const c = t.cast(dtype);
      if (t !== x) t.dispose();
      t = c;
    }
    // Never alias the caller's tensor: the optimizer updates its state in place.
    return t === x ? x.clone() : t;
  }
  const n = x.shape.reduce((a, b) => a * b, 1);
  if (x.data.length !== n) {
    throw new RangeError(
      `${op}: serialized tensor of shape [${x.shape.join(', ')}] has ${x.data.length} values, not ${n}`,
    );
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = decodeNumber(op, x.data[i]);
  const dtype = isFloating(x.dtype) ? like.dtype : x.dtype;
  return tensor(values, { dtype, device: like.device, shape: x.shape });
}
