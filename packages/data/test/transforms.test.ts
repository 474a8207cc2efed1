import { type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import {
  compose,
  fitMinMaxScale,
  fitStandardize,
  LabelEncoder,
  labelEncoder,
  minMaxScale,
  oneHot,
  standardize,
} from '../src/index.js';

const close = (a: unknown, b: number[] | number[][] | number[][][]) => {
  const fa = (a as number[]).flat(3) as number[];
  const fb = b.flat(3) as number[];
  expect(fa.length).toBe(fb.length);
  fa.forEach((v, i) => {
    expect(v).toBeCloseTo(fb[i]!, 5);
  });
};

describe('standardize / minMaxScale', () => {
  it('standardizes per feature with given statistics', () => {
    const t = standardize({ mean: [1, 2], std: [2, 4] });
    const out = t(
      tensor([
        [1, 2],
        [3, 4],
        [5, 10],
      ]),
    );
    expect(out.dtype).toBe('float32');
    expect(out.arraySync()).toEqual([
      [0, 0],
      [1, 0.5],
      [2, 2],
    ]);
    expect(t.mean).toEqual([1, 2]);
    // A scalar mean/std applies to every feature.
    expect(standardize({ mean: 1, std: 2 })(tensor([1, 3])).arraySync()).toEqual([0, 1]);
  });

  it('standardizes images per channel (the default for >= 3 dims)', () => {
    const img = tensor([[[1, 3]], [[10, 20]]]); // [2,1,2]
    const t = standardize({ mean: [2, 15], std: [1, 5] });
    expect(t(img).arraySync()).toEqual([[[-1, 1]], [[-1, 1]]]);
    const batch = tensor([
      [[[1, 3]], [[10, 20]]],
      [[[2, 2]], [[15, 15]]],
    ]); // [2,2,1,2]
    expect(t(batch).arraySync()).toEqual([
      [[[-1, 1]], [[-1, 1]]],
      [[[0, 0]], [[0, 0]]],
    ]);
    expect(standardize({ mean: [0, 0, 0], std: [1, 1, 1], axis: 'channel' }).axis).toBe('channel');
    expect(() => t(tensor([[[1, 2]], [[1, 2]], [[1, 2]]]))).toThrow(
      'standardize: mean has 2 values but the input has 3 groups along the stats axis',
    );
    expect(() => standardize({ mean: 0, std: 0 })(tensor([1]))).toThrow(/std is 0 for group 0/);
    expect(() => standardize({ mean: 0, std: 1, axis: 'channel' })(tensor([1, 2]))).toThrow(
      /axis 'channel' needs an image tensor/,
    );
  });

  it('fitStandardize computes population mean/std; constant features get std 1', () => {
    const x = tensor([
      [1, 10, 0],
      [3, 10, 4],
    ]);
    const t = fitStandardize(x);
    expect(t.mean).toEqual([2, 10, 2]);
    expect(t.std).toEqual([1, 1, 2]);
    expect(t(x).arraySync()).toEqual([
      [-1, 0, -1],
      [1, 0, 1],
    ]);
    const all = fitStandardize(tensor([1, 2, 3, 4]), { axis: 'all' });
    expect(all.mean).toEqual([2.5]);
    close(all(tensor([2.5, 1])).arraySync(), [0, -1.5 / Math.sqrt(1.25)]);
    const img = fitStandardize(
      tensor([
        [[[0, 2]], [[5, 5]]],
        [[[4, 2]], [[5, 5]]],
      ]),
    );
    expect(img.mean).toEqual([2, 5]);
    expect(img.std).toEqual([Math.sqrt(2), 1]);
  });

  it('minMaxScale maps [min, max] to the range', () => {
    const t = minMaxScale({ min: [0, 10], max: [4, 20], range: [-1, 1] });
    expect(
      t(
        tensor([
          [0, 10],
          [2, 15],
          [4, 20],
        ]),
      ).arraySync(),
    ).toEqual([
      [-1, -1],
      [0, 0],
      [1, 1],
    ]);
    const f = fitMinMaxScale(
      tensor([
        [1, 5],
        [3, 5],
      ]),
    );
    expect(f.min).toEqual([1, 5]);
    expect(f.max).toEqual([3, 5]);
    expect(
      f(
        tensor([
          [1, 5],
          [2, 5],
          [3, 5],
        ]),
      ).arraySync(),
    ).toEqual([
      [0, 0],
      [0.5, 0],
      [1, 0],
    ]);
    expect(() => minMaxScale({ min: 0, max: 1, range: [1, 0] })).toThrow(
      /range must be \[low, high\] with low < high/,
    );
  });

  it('compose chains left to right', () => {
    const t = compose(standardize({ mean: 1, std: 2 }), (x) => x.mul(10));
    expect(t(tensor([1, 3])).arraySync()).toEqual([0, 10]);
    expect(compose()(5)).toBe(5);
    // Chains whose types change along the way keep the end types (no any).
    const count = compose(
      (x: Tensor) => x.arraySync() as number[],
      (a: number[]) => a.filter((v) => v > 1),
      (a: number[]) => a.length,
    );
    const n: number = count(tensor([1, 2, 3]));
    expect(n).toBe(2);
    expect(() => compose(1 as never)).toThrow('compose: transform 0 is number, not a function');
  });
});

describe('oneHot / LabelEncoder', () => {
  it('oneHot encodes class labels of any shape', () => {
    const out = oneHot(3)(tensor([2, 0, 1]));
    expect(out.dtype).toBe('float32');
    expect(out.arraySync()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const nested = oneHot(2, { dtype: 'int32' })(tensor([[1], [0]]));
    expect(nested.shape).toEqual([2, 1, 2]);
    expect(nested.dtype).toBe('int32');
    expect(() => oneHot(3)(tensor([0, 3]))).toThrow(
      'oneHot: label 3 at flat position 1 is not an integer class in [0, 3)',
    );
  });

  it('LabelEncoder fits sorted classes, encodes and decodes', () => {
    const enc = labelEncoder(['cat', 'dog', 'cat', 'bird']);
    expect(enc.classes).toEqual(['bird', 'cat', 'dog']);
    const codes = enc.transform(['dog', 'bird', 'cat']);
    expect(codes.dtype).toBe('int32');
    expect(codes.arraySync()).toEqual([2, 0, 1]);
    expect(enc.inverseTransform(codes)).toEqual(['dog', 'bird', 'cat']);
    expect(() => enc.transform(['fish'])).toThrow(
      'LabelEncoder.transform: unknown value "fish" at position 0 (known: "bird", "cat", "dog")',
    );
    expect(() => enc.inverseTransform([3])).toThrow(/code 3 at position 0 is not in \[0, 3\)/);
    const nums = new LabelEncoder<number>();
    expect(nums.fitTransform([10, 2, 10, 33]).arraySync()).toEqual([1, 0, 1, 2]);
    expect(nums.classes).toEqual([2, 10, 33]);
    expect(() => new LabelEncoder().transform(['a'])).toThrow(/call fit\(values\) first/);
  });
});
