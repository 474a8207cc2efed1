import { Generator, rand, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import {
  colorJitter,
  compose,
  gaussianNoise,
  randomAffine,
  randomCrop,
  randomErasing,
  randomHorizontalFlip,
  randomResizedCrop,
  randomRotation,
  randomVerticalFlip,
  resize,
} from '../src/index.js';

/** A [1,H,W] image with values 1..H*W. */
const grid = (h: number, w: number): Tensor =>
  tensor(
    Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => y * w + x + 1)),
    { dtype: 'float32' },
  ).reshape(1, h, w);

const plane = (t: Tensor) => (t.arraySync() as number[][][])[0];

function expectClose(a: Tensor, b: number[][]) {
  const got = plane(a)!.flat();
  b.flat().forEach((v, i) => {
    expect(got[i]).toBeCloseTo(v, 5);
  });
}

describe('flips', () => {
  it('flip exactly with p = 1 and never with p = 0', () => {
    const img = grid(2, 3);
    expect(plane(randomHorizontalFlip({ p: 1 })(img))).toEqual([
      [3, 2, 1],
      [6, 5, 4],
    ]);
    expect(plane(randomVerticalFlip({ p: 1 })(img))).toEqual([
      [4, 5, 6],
      [1, 2, 3],
    ]);
    // The input is never modified.
    randomErasing({ p: 1, value: 0 })(img);
    colorJitter({ brightness: [0, 0] })(img);
    expect(plane(img)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(plane(randomHorizontalFlip({ p: 0 })(img))).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(() => randomHorizontalFlip({ p: 2 })).toThrow(
      'randomHorizontalFlip: p must be a probability in [0, 1], got number 2',
    );
    expect(() => randomHorizontalFlip()(tensor([1, 2]))).toThrow(
      'randomHorizontalFlip: expected an image tensor [C,H,W] or a batch [N,C,H,W], got shape [2]',
    );
  });

  it('flips each image of a batch independently, reproducibly from the seed', () => {
    const batch = grid(1, 2).reshape(1, 1, 1, 2).expand(64, 2, 1, 2).contiguous();
    const run = (seed: number) =>
      randomHorizontalFlip({ generator: new Generator(seed) })(batch).arraySync() as number[][][][];
    const a = run(1);
    const flipped = a.map((img) => img[0]![0]![0] === 2);
    expect(flipped.filter(Boolean).length).toBeGreaterThan(16);
    expect(flipped.filter(Boolean).length).toBeLessThan(48);
    // Both channels of an image get the same decision.
    expect(a.every((img) => img[0]![0]![0] === img[1]![0]![0])).toBe(true);
    expect(run(1)).toEqual(a);
    expect(run(2)).not.toEqual(a);
    // One generator moves on between calls.
    const t = randomHorizontalFlip({ generator: new Generator(1) });
    expect(t(batch).arraySync()).not.toEqual(t(batch).arraySync());
  });
});

describe('randomCrop', () => {
  it('pads with the chosen mode (crop = padded size is deterministic)', () => {
    const img = grid(2, 2);
    expect(plane(randomCrop(4, { padding: 1 })(img))).toEqual([
      [0, 0, 0, 0],
      [0, 1, 2, 0],
      [0, 3, 4, 0],
      [0, 0, 0, 0],
    ]);
    expect(plane(randomCrop(4, { padding: 1, fill: 9 })(img))).toEqual([
      [9, 9, 9, 9],
      [9, 1, 2, 9],
      [9, 3, 4, 9],
      [9, 9, 9, 9],
    ]);
    expect(plane(randomCrop(4, { padding: 1, paddingMode: 'edge' })(img))).toEqual([
      [1, 1, 2, 2],
      [1, 1, 2, 2],
      [3, 3, 4, 4],
      [3, 3, 4, 4],
    ]);
    const reflect = plane(randomCrop(5, { padding: 1, paddingMode: 'reflect' })(grid(3, 3)));
    expect(reflect).toEqual([
      [5, 4, 5, 6, 5],
      [2, 1, 2, 3, 2],
      [5, 4, 5, 6, 5],
      [8, 7, 8, 9, 8],
      [5, 4, 5, 6, 5],
    ]);
    const symmetric = plane(randomCrop(5, { padding: 1, paddingMode: 'symmetric' })(grid(3, 3)));
    expect(symmetric).toEqual([
      [1, 1, 2, 3, 3],
      [1, 1, 2, 3, 3],
      [4, 4, 5, 6, 6],
      [7, 7, 8, 9, 9],
      [7, 7, 8, 9, 9],
    ]);
    // [left/right, top/bottom] and [left, top, right, bottom] padding.
    expect(plane(randomCrop([2, 4], { padding: [1, 0] })(img))).toEqual([
      [0, 1, 2, 0],
      [0, 3, 4, 0],
    ]);
    expect(plane(randomCrop([3, 3], { padding: [1, 1, 0, 0] })(img))).toEqual([
      [0, 0, 0],
      [0, 1, 2],
      [0, 3, 4],
    ]);
  });

  it('picks every window of the padded image, per image of a batch', () => {
    const img = grid(2, 2);
    const padded = [
      [0, 0, 0, 0],
      [0, 1, 2, 0],
      [0, 3, 4, 0],
      [0, 0, 0, 0],
    ];
    const windows = new Set<string>();
    for (let i = 0; i <= 2; i++)
      for (let j = 0; j <= 2; j++)
        windows.add(JSON.stringify(padded.slice(i, i + 2).map((r) => r.slice(j, j + 2))));
    const batch = img.reshape(1, 1, 2, 2).expand(200, 1, 2, 2).contiguous();
    const out = (
      randomCrop(2, { padding: 1, generator: new Generator(3) })(batch).arraySync() as number[][][][]
    ).map((im) => JSON.stringify(im[0]));
    expect(out.every((o) => windows.has(o))).toBe(true);
    expect(new Set(out).size).toBe(9);
  });

  it('errors clearly', () => {
    expect(() => randomCrop(5)(grid(4, 4))).toThrow(
      'randomCrop: crop size [5,5] is larger than the padded image [4,4] (image [4,4]); use padIfNeeded',
    );
    expect(randomCrop(5, { padIfNeeded: true })(grid(4, 4)).shape).toEqual([1, 5, 5]);
    expect(() => randomCrop(0)).toThrow(/size must be a positive integer or a pair/);
    expect(() => randomCrop(4, { padding: [1, 2, 3] })).toThrow(/padding must be/);
    expect(() => randomCrop(8, { padding: 3, paddingMode: 'reflect' })(grid(2, 2))).toThrow(
      /reflect padding \[3,3,3,3\] is too large/,
    );
  });
});

describe('resize / randomResizedCrop', () => {
  const bilinear4 = [
    [1, 1.25, 1.75, 2],
    [1.5, 1.75, 2.25, 2.5],
    [2.5, 2.75, 3.25, 3.5],
    [3, 3.25, 3.75, 4],
  ];

  it('resize matches PyTorch interpolate (bilinear, align_corners=False) and nearest', () => {
    expectClose(resize(4)(grid(2, 2)), bilinear4);
    expect(plane(resize(4, { interpolation: 'nearest' })(grid(2, 2)))).toEqual([
      [1, 1, 2, 2],
      [1, 1, 2, 2],
      [3, 3, 4, 4],
      [3, 3, 4, 4],
    ]);
    expectClose(resize([2, 2])(grid(4, 4)), [
      [3.5, 5.5],
      [11.5, 13.5],
    ]);
  });

  it('randomResizedCrop with scale and ratio fixed to 1 resizes the whole image', () => {
    expectClose(randomResizedCrop(4, { scale: [1, 1], ratio: [1, 1] })(grid(2, 2)), bilinear4);
  });

  it('randomResizedCrop gives the output size and crops that lie inside the image', () => {
    const img = grid(8, 8);
    const out = randomResizedCrop([3, 5], { generator: new Generator(4) })(
      img.reshape(1, 1, 8, 8).expand(20, 1, 8, 8).contiguous(),
    );
    expect(out.shape).toEqual([20, 1, 3, 5]);
    const v = out.dataSync();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...v)).toBeLessThanOrEqual(64);
    // Nearest sampling only produces values of the image.
    const near = randomResizedCrop(4, { interpolation: 'nearest', generator: new Generator(5) })(
      img,
    ).dataSync();
    expect(Array.from(near).every((p) => Number.isInteger(p) && p >= 1 && p <= 64)).toBe(true);
  });
});

describe('randomRotation / randomAffine', () => {
  it('rotates 90 degrees counter-clockwise exactly (nearest and bilinear)', () => {
    const rot = [
      [3, 6, 9],
      [2, 5, 8],
      [1, 4, 7],
    ];
    expect(plane(randomRotation([90, 90])(grid(3, 3)))).toEqual(rot);
    expectClose(randomRotation([90, 90], { interpolation: 'bilinear' })(grid(3, 3)), rot);
    expect(plane(randomRotation([90, 90])(grid(2, 2)))).toEqual([
      [2, 4],
      [1, 3],
    ]);
    expect(plane(randomRotation([-90, -90])(grid(2, 2)))).toEqual([
      [3, 1],
      [4, 2],
    ]);
    expect(plane(randomRotation([180, 180])(grid(2, 3)))).toEqual([
      [6, 5, 4],
      [3, 2, 1],
    ]);
  });

  it('fills pixels coming from outside the image', () => {
    // 90 degrees of a 2x4 image: corners come from outside.
    const out = plane(randomRotation([90, 90], { fill: -1 })(grid(2, 4)))!;
    expect(out.flat().filter((v) => v === -1).length).toBe(4);
    // Bilinear blends the fill in: a rotated all-ones image keeps 1 in the middle, partial values at the corners.
    const ones = tensor(new Float32Array(9).fill(1)).reshape(1, 3, 3);
    const rot = plane(randomRotation([45, 45], { interpolation: 'bilinear' })(ones))!;
    expect(rot[1]![1]).toBeCloseTo(1, 6);
    expect(rot[0]![0]).toBeCloseTo(1 - (Math.SQRT2 - 1), 5);
  });

  it('scales about the centre and translates by whole pixels', () => {
    expect(plane(randomAffine({ scale: [2, 2] })(grid(4, 4)))).toEqual([
      [6, 6, 7, 7],
      [6, 6, 7, 7],
      [10, 10, 11, 11],
      [10, 10, 11, 11],
    ]);
    const img = grid(1, 4);
    const shifts = new Set<string>();
    const t = randomAffine({ translate: [0.25, 0], generator: new Generator(8) });
    for (let k = 0; k < 30; k++) shifts.add(JSON.stringify(plane(t(img))));
    expect([...shifts].sort()).toEqual(
      [JSON.stringify([[0, 1, 2, 3]]), JSON.stringify([[1, 2, 3, 4]]), JSON.stringify([[2, 3, 4, 0]])].sort(),
    );
  });

  it('is reproducible from the seed and validates options', () => {
    const img = rand([3, 8, 8], { generator: new Generator(0) });
    const seeded = () =>
      randomAffine({
        degrees: 30,
        translate: [0.1, 0.1],
        scale: [0.8, 1.2],
        shear: 10,
        interpolation: 'bilinear',
        generator: new Generator(1),
      });
    const a = seeded()(img);
    const b = seeded()(img);
    expect(a.arraySync()).toEqual(b.arraySync());
    expect(a.shape).toEqual([3, 8, 8]);
    expect(() => randomAffine({ translate: [2, 0] })).toThrow(
      /translate must be \[a, b\] with fractions in \[0, 1\]/,
    );
    expect(() => randomRotation(-5)).toThrow(
      /degrees must be a non-negative number or a \[min, max\] pair, got -5/,
    );
    expect(() => randomRotation(5, { interpolation: 'cubic' as never })).toThrow(
      /interpolation must be 'nearest' or 'bilinear'/,
    );
  });
});

describe('colorJitter / randomErasing / gaussianNoise', () => {
  const rgb = tensor([[[0.2, 0.6]], [[0.4, 0.4]], [[0.1, 0.3]]]); // [3,1,2]

  it('colorJitter with fixed factors gives exact results', () => {
    expectClose(colorJitter({ brightness: [2, 2] })(grid(1, 2).div(4)).reshape(1, 1, 2), [[0.5, 1]]);
    expectClose(colorJitter({ brightness: [4, 4] })(grid(1, 2).div(4)).reshape(1, 1, 2), [[1, 1]]);
    // Contrast 0: every pixel becomes the mean grey level.
    const grey = (0.299 * (0.2 + 0.6) + 0.587 * 0.8 + 0.114 * 0.4) / 2;
    const c0 = colorJitter({ contrast: [0, 0] })(rgb).dataSync();
    for (const v of c0) expect(v).toBeCloseTo(grey, 5);
    // Saturation 0: greyscale in every channel.
    const s0 = colorJitter({ saturation: [0, 0] })(rgb).arraySync() as number[][][];
    const g0 = 0.299 * 0.2 + 0.587 * 0.4 + 0.114 * 0.1;
    const g1 = 0.299 * 0.6 + 0.587 * 0.4 + 0.114 * 0.3;
    for (const ch of s0) {
      expect(ch[0]![0]).toBeCloseTo(g0, 5);
      expect(ch[0]![1]).toBeCloseTo(g1, 5);
    }
    // Factors 1 change nothing.
    expectClose(colorJitter({ brightness: 0, contrast: 0, saturation: 0 })(rgb).reshape(1, 3, 2), [
      [0.2, 0.6, 0.4, 0.4, 0.1, 0.3],
    ]);
    expect(() => colorJitter({ contrast: 0.5 })(rand([2, 2, 2]))).toThrow(
      /contrast and saturation need 1 or 3 channels/,
    );
  });

  it('colorJitter draws factors per image within the range', () => {
    const batch = tensor(Array.from({ length: 50 }, () => [[[0.25]]])); // [50,1,1,1]
    const out = Array.from(colorJitter({ brightness: 0.5, generator: new Generator(1) })(batch).dataSync());
    expect(Math.min(...out)).toBeGreaterThanOrEqual(0.125 - 1e-6);
    expect(Math.max(...out)).toBeLessThanOrEqual(0.375 + 1e-6);
    expect(new Set(out).size).toBeGreaterThan(40);
  });

  it('randomErasing erases one rectangle with the value', () => {
    const img = grid(10, 10);
    const out = plane(randomErasing({ p: 1, value: -1, generator: new Generator(2) })(img))!;
    const erased: [number, number][] = [];
    out.forEach((row, y) => {
      row.forEach((v, x) => {
        if (v === -1) erased.push([y, x]);
        else expect(v).toBe(y * 10 + x + 1);
      });
    });
    expect(erased.length).toBeGreaterThanOrEqual(1);
    const ys = erased.map((e) => e[0]);
    const xs = erased.map((e) => e[1]);
    const h = Math.max(...ys) - Math.min(...ys) + 1;
    const w = Math.max(...xs) - Math.min(...xs) + 1;
    expect(h * w).toBe(erased.length);
    expect(erased.length).toBeLessThanOrEqual(0.33 * 100 * 1.5);
    expect(plane(randomErasing({ p: 0 })(img))).toEqual(plane(img));
    const rnd = randomErasing({ p: 1, value: 'random', generator: new Generator(3) })(rand([3, 16, 16]));
    expect(rnd.shape).toEqual([3, 16, 16]);
    expect(() => randomErasing({ value: [1, 2] })(rand([3, 4, 4]))).toThrow(
      'randomErasing: value has 2 entries but the images have 3 channels',
    );
  });

  it('gaussianNoise adds N(mean, std) noise, clipped by default', () => {
    const zeros = tensor(new Float32Array(20000).fill(0.5)).reshape(1, 100, 200);
    const out = gaussianNoise({ std: 0.1, clip: false, generator: new Generator(0) })(zeros).dataSync();
    let m = 0;
    for (const v of out) m += v;
    m /= out.length;
    let s = 0;
    for (const v of out) s += (v - m) ** 2;
    expect(m).toBeCloseTo(0.5, 2);
    expect(Math.sqrt(s / out.length)).toBeCloseTo(0.1, 2);
    const clipped = gaussianNoise({ std: 1, generator: new Generator(0) })(zeros).dataSync();
    expect(Math.min(...clipped)).toBe(0);
    expect(Math.max(...clipped)).toBe(1);
    expect(gaussianNoise({ std: 0 })(grid(1, 2).div(4)).arraySync()).toEqual([[[0.25, 0.5]]]);
  });

  it('composed augmentations are reproducible from one seed and keep batch shape', () => {
    const make = () => {
      const g = new Generator(12);
      return compose(
        randomCrop(28, { padding: 4, generator: g }),
        randomHorizontalFlip({ generator: g }),
        colorJitter({ brightness: 0.2, generator: g }),
      );
    };
    const x = rand([8, 1, 28, 28], { generator: new Generator(0) });
    const a = make()(x);
    expect(a.shape).toEqual([8, 1, 28, 28]);
    expect(a.arraySync()).toEqual(make()(x).arraySync());
  });
});
