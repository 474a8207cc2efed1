import { checkOptions, type DType, Tensor, tensor } from '@tessera/tensor';
import { describeValue } from '../random.js';

/**
 * One-hot encoding of integer class labels: a tensor of any shape [...] with values in
 * [0, numClasses) becomes [..., numClasses] (float32 by default, handy as a target; pass
 * `dtype: 'int32'` for PyTorch's `F.one_hot` type).
 */
export function oneHot(numClasses: number, opts: { dtype?: DType } = {}): (labels: Tensor) => Tensor {
  checkOptions('oneHot', opts, { dtype: 'any' });
  const op = 'oneHot';
  if (!Number.isInteger(numClasses) || numClasses < 1)
    throw new RangeError(`${op}: numClasses must be a positive integer, got ${describeValue(numClasses)}`);
  const dtype = opts.dtype ?? 'float32';
  return (labels) => {
    if (!(labels instanceof Tensor))
      throw new TypeError(`${op}: expected a tensor of class labels, got ${describeValue(labels)}`);
    const data = labels.dataSync();
    const out = new Float32Array(data.length * numClasses);
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
        throw new RangeError(
          `${op}: label ${v} at flat position ${i} is not an integer class in [0, ${numClasses})`,
        );
      }
      out[i * numClasses + v] = 1;
    }
    return tensor(out, { shape: [...labels.shape, numClasses], dtype });
  };
}

/** A category value: a string or a number. */
export type Category = string | number;

function compareCategories(a: Category, b: Category): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Maps category values to integer codes 0..k-1 (sklearn's `LabelEncoder`): `fit` learns the
 * sorted distinct values (`classes`), `transform` encodes (an unknown value is an error naming
 * it), `inverseTransform` decodes.
 */
export class LabelEncoder<V extends Category = Category> {
  /** The distinct values, sorted (numbers before strings); code i means classes[i]. */
  classes: V[] = [];
  private index = new Map<V, number>();

  /** Learns the classes from `values`; returns this. */
  fit(values: Iterable<V>): this {
    const set = new Set<V>();
    for (const v of values) {
      if (typeof v !== 'string' && (typeof v !== 'number' || Number.isNaN(v))) {
        throw new TypeError(`LabelEncoder.fit: values must be strings or numbers, got ${describeValue(v)}`);
      }
      set.add(v);
    }
    this.classes = [...set].sort(compareCategories);
    this.index = new Map(this.classes.map((c, i) => [c, i]));
    return this;
  }

  /** Codes of `values` as an int32 tensor. */
  transform(values: Iterable<V>): Tensor {
    return tensor(this.encode(values), { dtype: 'int32' });
  }

  /** Codes of `values` as an Int32Array. */
  encode(values: Iterable<V>): Int32Array {
    if (this.classes.length === 0) throw new Error('LabelEncoder.transform: call fit(values) first');
    const arr = Array.from(values);
    const out = new Int32Array(arr.length);
    arr.forEach((v, i) => {
      const code = this.index.get(v);
      if (code === undefined) {
        const known = this.classes
          .slice(0, 10)
          .map((c) => JSON.stringify(c))
          .join(', ');
        throw new RangeError(
          `LabelEncoder.transform: unknown value ${JSON.stringify(v)} at position ${i} (known: ${known}${this.classes.length > 10 ? ', ...' : ''})`,
        );
      }
      out[i] = code;
    });
    return out;
  }

  /** `fit(values)` then `transform(values)`. */
  fitTransform(values: Iterable<V>): Tensor {
    const arr = Array.from(values);
    return this.fit(arr).transform(arr);
  }

  /** The values for codes (a tensor or array of integers). */
  inverseTransform(codes: Tensor | readonly number[]): V[] {
    const arr = codes instanceof Tensor ? Array.from(codes.dataSync()) : codes;
    return arr.map((c, i) => {
      if (!Number.isInteger(c) || c < 0 || c >= this.classes.length) {
        throw new RangeError(
          `LabelEncoder.inverseTransform: code ${c} at position ${i} is not in [0, ${this.classes.length})`,
        );
      }
      return this.classes[c]!;
    });
  }
}

/** A `LabelEncoder` fitted on `values`. */
export function labelEncoder(values: Iterable<string>): LabelEncoder<string>;
export function labelEncoder(values: Iterable<number>): LabelEncoder<number>;
export function labelEncoder(values: Iterable<Category>): LabelEncoder<Category>;
export function labelEncoder(values: Iterable<Category>): LabelEncoder<Category> {
  return new LabelEncoder<Category>().fit(values);
}
