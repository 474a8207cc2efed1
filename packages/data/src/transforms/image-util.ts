import { type DType, defaultGenerator, type Generator, Tensor, tensor } from '@tessera/tensor';
import { checkGenerator, describeValue } from '../random.js';

/**
 * Pixels of an image tensor [C,H,W] or a batch [N,C,H,W], read into a float array. `data` is a
 * fresh copy (dataSync returns a new array), so transforms may modify it in place.
 */
export interface ImageBatch {
  data: Float32Array | Float64Array;
  n: number;
  c: number;
  h: number;
  w: number;
  batched: boolean;
  dtype: DType;
}

/** Reads an image or image batch; errors name the transform and the offending shape/dtype. */
export function readImages(op: string, x: unknown): ImageBatch {
  if (!(x instanceof Tensor))
    throw new TypeError(`${op}: expected an image tensor [C,H,W] or [N,C,H,W], got ${describeValue(x)}`);
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new RangeError(
      `${op}: expected an image tensor [C,H,W] or a batch [N,C,H,W], got shape [${x.shape.join(',')}]`,
    );
  }
  if (x.dtype === 'bool') throw new TypeError(`${op}: expected a numeric image tensor, got dtype bool`);
  const batched = x.ndim === 4;
  const [n, c, h, w] = batched ? x.shape : [1, ...x.shape];
  const raw = x.dataSync();
  const data = raw instanceof Float32Array || raw instanceof Float64Array ? raw : Float32Array.from(raw);
  return { data, n: n!, c: c!, h: h!, w: w!, batched, dtype: x.dtype };
}

/** A float array for output pixels of the same precision as the input. */
export function allocLike(img: ImageBatch, size: number): Float32Array | Float64Array {
  return img.data instanceof Float64Array ? new Float64Array(size) : new Float32Array(size);
}

/** Wraps output pixels as a tensor of the input's rank and dtype. */
export function toImages(img: ImageBatch, data: Float32Array | Float64Array, h = img.h, w = img.w): Tensor {
  const shape = img.batched ? [img.n, img.c, h, w] : [img.c, h, w];
  if (img.dtype === 'float32' && data instanceof Float32Array) return tensor(data, { shape });
  if (img.dtype === 'float64' && data instanceof Float64Array) return tensor(data, { shape });
  const rounded = img.dtype === 'int32' ? data.map(Math.round) : data;
  return tensor(rounded, { shape, dtype: img.dtype });
}

/** The generator option, checked, defaulting to the global generator. */
export function generatorOf(op: string, g: Generator | undefined): Generator {
  return checkGenerator(op, g) ?? defaultGenerator;
}

/** Checks a probability. */
export function checkProb(op: string, p: unknown): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    throw new RangeError(`${op}: p must be a probability in [0, 1], got ${describeValue(p)}`);
  return p;
}

/** `[h, w]` from a size given as one number (square) or a pair. */
export function sizePair(op: string, what: string, size: unknown): [number, number] {
  const s = typeof size === 'number' ? [size, size] : size;
  if (!Array.isArray(s) || s.length !== 2 || !s.every((v) => Number.isInteger(v) && v > 0)) {
    throw new RangeError(
      `${op}: ${what} must be a positive integer or a pair [height, width] of them, got ${JSON.stringify(size)}`,
    );
  }
  return [s[0], s[1]];
}

/** A [min, max] range: a number d means [center - d, center + d] (clamped at `floor`). */
export function rangeOf(
  op: string,
  what: string,
  v: unknown,
  center: number,
  floor = Number.NEGATIVE_INFINITY,
): [number, number] {
  if (typeof v === 'number') {
    if (!(v >= 0) || !Number.isFinite(v))
      throw new RangeError(`${op}: ${what} must be a non-negative number or a [min, max] pair, got ${v}`);
    return [Math.max(floor, center - v), center + v];
  }
  if (!Array.isArray(v) || v.length !== 2 || !v.every(Number.isFinite) || v[0] > v[1]) {
    throw new RangeError(
      `${op}: ${what} must be a non-negative number or a [min, max] pair with min <= max, got ${JSON.stringify(v)}`,
    );
  }
  if (v[0] < floor)
    throw new RangeError(`${op}: ${what} range ${JSON.stringify(v)} must not go below ${floor}`);
  return [v[0], v[1]];
}

/** Round half to even (Python's round, PyTorch's nearbyint), so parameters match torchvision's. */
export function roundEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Checks an aspect-ratio range: [min, max] with 0 < min <= max. */
export function checkRatio(op: string, ratio: readonly [number, number]): void {
  if (!(ratio[0] > 0 && ratio[0] <= ratio[1]))
    throw new RangeError(`${op}: ratio must be [min, max] with 0 < min <= max, got ${JSON.stringify(ratio)}`);
}

/**
 * torchvision's region sampling (RandomResizedCrop, RandomErasing): a region of
 * `total · lerp(scale, u0)` pixels with aspect ratio exp(lerp(log ratio, u1)). Returns a function
 * of (total, u0, u1) giving the sides [round(√(area·aspect)), round(√(area/aspect))].
 */
export function regionSides(
  scale: readonly [number, number],
  ratio: readonly [number, number],
): (total: number, u0: number, u1: number) => [number, number] {
  const logR0 = Math.log(ratio[0]);
  const logR1 = Math.log(ratio[1]);
  return (total, u0, u1) => {
    const area = total * (scale[0] + u0 * (scale[1] - scale[0]));
    const aspect = Math.exp(logR0 + u1 * (logR1 - logR0));
    return [roundEven(Math.sqrt(area * aspect)), roundEven(Math.sqrt(area / aspect))];
  };
}

/** Per-channel fill values from a number or a per-channel list. */
export function fillValues(op: string, fill: unknown, c: number): Float64Array {
  const out = new Float64Array(c);
  if (typeof fill === 'number' && Number.isFinite(fill)) return out.fill(fill);
  if (Array.isArray(fill) && fill.length === c && fill.every(Number.isFinite)) {
    out.set(fill);
    return out;
  }
  throw new RangeError(
    `${op}: fill must be a number or one number per channel (${c}), got ${JSON.stringify(fill)}`,
  );
}
