import {
  type Conv2dOptions,
  conv1d,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  convTranspose2d,
  fold,
  type Tensor,
  tensor,
  unfold,
  zeros,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { dotAll, f64, maxDiff, rand } from './helpers-float64.js';
import { recordOps } from './shaping-ref.js';

// Convolutions checked against naive float64 loops written independently here, plus adjoint
// identities (<conv(x), dy> = <x, dx> = <w, dw>) and finite differences for the backward kernels.

interface Geo {
  stride: [number, number];
  pad: [number, number, number, number];
  dil: [number, number];
  groups: number;
}

/** Output shape [N, O, OH, OW] of a conv2d of an input of shape `xs` with a weight of shape `ws`. */
function outShape(xs: number[], ws: number[], g: Geo): [number, number, number, number] {
  const [N, , H, W] = xs as [number, number, number, number];
  const [O, , KH, KW] = ws as [number, number, number, number];
  const OH = Math.floor((H + g.pad[0] + g.pad[1] - g.dil[0] * (KH - 1) - 1) / g.stride[0]) + 1;
  const OW = Math.floor((W + g.pad[2] + g.pad[3] - g.dil[1] * (KW - 1) - 1) / g.stride[1]) + 1;
  return [N, O, OH, OW];
}

const numel = (shape: readonly number[]) => shape.reduce((p, q) => p * q, 1);

/**
 * Calls `tap(xi, wi, yi)` for every multiply of a naive conv2d of x (shape `xs`) with w (shape
 * `ws`): the flat row-major indices of the input, weight and output elements it pairs, in
 * (n, o, oh, ow, c, kh, kw) order, skipping taps that fall in the padding. The forward and
 * both gradients are this loop with different accumulations.
 */
function forEachTap(
  xs: number[],
  ws: number[],
  g: Geo,
  tap: (xi: number, wi: number, yi: number) => void,
): void {
  const [, C, H, W] = xs as [number, number, number, number];
  const [, Cg, KH, KW] = ws as [number, number, number, number];
  const [N, O, OH, OW] = outShape(xs, ws, g);
  const Og = O / g.groups;
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      const grp = Math.floor(o / Og);
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const yi = ((n * O + o) * OH + oh) * OW + ow;
          for (let c = 0; c < Cg; c++)
            for (let kh = 0; kh < KH; kh++)
              for (let kw = 0; kw < KW; kw++) {
                const ih = oh * g.stride[0] - g.pad[0] + kh * g.dil[0];
                const iw = ow * g.stride[1] - g.pad[2] + kw * g.dil[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                tap(((n * C + grp * Cg + c) * H + ih) * W + iw, ((o * Cg + c) * KH + kh) * KW + kw, yi);
              }
        }
    }
}

/** Naive conv2d reference on row-major float64 data: y[yi] = Σ x[xi]·w[wi] over its taps. */
function refConv(
  x: Float64Array,
  xs: number[],
  w: Float64Array,
  ws: number[],
  g: Geo,
): { data: Float64Array; shape: number[] } {
  const shape = outShape(xs, ws, g);
  const out = new Float64Array(numel(shape));
  forEachTap(xs, ws, g, (xi, wi, yi) => {
    out[yi]! += x[xi]! * w[wi]!;
  });
  return { data: out, shape };
}

/** Naive gradient of conv2d with respect to x: scatter each dy through the taps that used it. */
function refBackInput(dy: Float64Array, xs: number[], w: Float64Array, ws: number[], g: Geo): Float64Array {
  const dx = new Float64Array(numel(xs));
  forEachTap(xs, ws, g, (xi, wi, yi) => {
    dx[xi]! += dy[yi]! * w[wi]!;
  });
  return dx;
}

/** Naive gradient of conv2d with respect to w: each weight sums dy · x over its taps. */
function refBackWeight(x: Float64Array, xs: number[], dy: Float64Array, ws: number[], g: Geo): Float64Array {
  const dw = new Float64Array(numel(ws));
  forEachTap(xs, ws, g, (xi, wi, yi) => {
    dw[wi]! += dy[yi]! * x[xi]!;
  });
  return dw;
}

interface Case {
  x: number[];
  w: number[];
  g: Geo;
  /** Storage order of x (to make it non-contiguous), if any. */
  xLayout?: number[];
  wLayout?: number[];
}

const geo = (
  s: [number, number],
  pad: [number, number, number, number],
  dil: [number, number],
  groups: number,
): Geo => ({
  stride: s,
  pad,
  dil,
  groups,
});

/** The conv2d options of a geometry. */
const convOptions = (g: Geo): Conv2dOptions => ({
  stride: g.stride,
  padding: g.pad,
  dilation: g.dil,
  groups: g.groups,
});

/** The naive reference for tensors `x` and `w` with geometry `g`. */
const refConvOf = (x: Tensor, w: Tensor, g: Geo) =>
  refConv(f64(x), x.shape as number[], f64(w), w.shape as number[], g);

/**
 * Central finite difference of `loss` at `v` along coordinate i: (loss(v + h·eᵢ) − loss(v − h·eᵢ)) / 2h.
 */
function centralDiff(v: Float64Array, i: number, h: number, loss: (v: Float64Array) => number): number {
  const p = v.slice();
  const m = v.slice();
  p[i]! += h;
  m[i]! -= h;
  return (loss(p) - loss(m)) / (2 * h);
}

const CASES: Case[] = [
  { x: [1, 1, 1, 1], w: [1, 1, 1, 1], g: geo([1, 1], [0, 0, 0, 0], [1, 1], 1) },
  { x: [2, 3, 7, 5], w: [4, 3, 3, 3], g: geo([1, 1], [1, 1, 1, 1], [1, 1], 1) },
  { x: [2, 4, 9, 8], w: [6, 2, 3, 2], g: geo([2, 3], [0, 2, 1, 0], [1, 2], 2) },
  { x: [1, 6, 11, 10], w: [6, 1, 3, 3], g: geo([1, 2], [2, 2, 2, 2], [2, 2], 6) }, // depthwise, dilated
  {
    // depthwise with channel multiplier 2, strided/dilated, asymmetric padding, strided operands
    x: [2, 3, 7, 8],
    w: [6, 1, 3, 2],
    g: geo([2, 1], [1, 0, 2, 1], [1, 2], 3),
    xLayout: [0, 3, 1, 2],
    wLayout: [3, 2, 1, 0],
  },
  { x: [3, 5, 6, 7], w: [2, 5, 1, 1], g: geo([1, 1], [0, 0, 0, 0], [1, 1], 1) }, // pointwise
  { x: [2, 4, 6, 7], w: [4, 2, 1, 1], g: geo([1, 1], [0, 0, 0, 0], [1, 1], 2), xLayout: [0, 2, 3, 1] }, // pointwise NHWC
  { x: [2, 3, 8, 9], w: [5, 3, 1, 1], g: geo([2, 2], [1, 0, 0, 1], [1, 1], 1) }, // 1x1 strided + padding
  {
    x: [2, 3, 8, 8],
    w: [4, 3, 3, 3],
    g: geo([1, 1], [1, 1, 1, 1], [1, 1], 1),
    xLayout: [0, 2, 3, 1],
    wLayout: [2, 3, 1, 0],
  },
  { x: [1, 2, 5, 13], w: [3, 2, 5, 4], g: geo([3, 1], [3, 1, 0, 2], [1, 3], 1), xLayout: [3, 1, 0, 2] },
  { x: [2, 1, 1, 9], w: [2, 1, 1, 3], g: geo([1, 2], [0, 0, 1, 1], [1, 1], 1) }, // H = 1
  { x: [1, 3, 4, 4], w: [3, 3, 4, 4], g: geo([1, 1], [0, 0, 0, 0], [1, 1], 1) }, // kernel = input
  { x: [1, 8, 17, 19], w: [12, 4, 3, 3], g: geo([1, 1], [1, 1, 1, 1], [1, 1], 2) },
  { x: [1, 120, 33, 33], w: [2, 120, 3, 3], g: geo([1, 1], [1, 1, 1, 1], [1, 1], 1) }, // several im2col chunks
];

describe('conv2d', () => {
  it('convolves a 7x7 binary image with a 3x3 kernel (worked by hand)', () => {
    // A plus sign of ones centred at (3,3) with arms of length 2, in a 7x7 image of zeros.
    const img = [
      [0, 0, 0, 1, 0, 0, 0],
      [0, 0, 0, 1, 0, 0, 0],
      [0, 0, 0, 1, 0, 0, 0],
      [1, 1, 1, 1, 1, 1, 1],
      [0, 0, 0, 1, 0, 0, 0],
      [0, 0, 0, 1, 0, 0, 0],
      [0, 0, 0, 1, 0, 0, 0],
    ];
    // Kernel: counts ones in the 3x3 neighbourhood, centre weighted 10 (cross-correlation).
    const k = [
      [1, 1, 1],
      [1, 10, 1],
      [1, 1, 1],
    ];
    const x = tensor([[img]], { dtype: 'float32' });
    const w = tensor([[k]], { dtype: 'float32' });
    // 'valid' output is 5x5; entry (i, j) sums the window rows i..i+2, cols j..j+2 with the centre
    // (i+1, j+1) counted 10 times. (0,0): no ones → 0. (0,1): column 3 at rows 0-2, centre (1,2)
    // is 0 → 3. (0,2): centre (1,3) is 1, plus (0,3) and (2,3) → 12. (1,1): ones (1,3), (2,3),
    // (3,3), (3,1), (3,2), centre (2,2) is 0 → 5. (1,2): the same five ones but (2,3) is the
    // centre → 10 + 4 = 14. (2,0): row 3 at cols 0-2, centre (3,1) → 12. (2,2): centre (3,3)
    // and its four neighbours → 14.
    const expected = [
      [0, 3, 12, 3, 0],
      [3, 5, 14, 5, 3],
      [12, 14, 14, 14, 12],
      [3, 5, 14, 5, 3],
      [0, 3, 12, 3, 0],
    ];
    expect(conv2d(x, w).arraySync()).toEqual([[expected]]);
    // With padding 1 the output stays 7x7. (0,0) sees only image rows/cols 0-1: all zero → 0.
    // (3,0): centre (3,0) is 1 and its only other one is (3,1) → 11.
    const same = conv2d(x, w, null, { padding: 1 }).arraySync() as number[][][][];
    expect(same[0]![0]![0]![0]).toBe(0);
    expect(same[0]![0]![3]![0]).toBe(11);
    expect(same[0]![0]![3]![3]).toBe(14);
    expect(same[0]![0]![2]![2]).toBe(5); // centre (2,2): the five ones of rows/cols 1-3, centre 0
    expect(same[0]![0]![1]![1]).toBe(0); // rows/cols 0-2 hold no ones
  });

  it('matches the naive reference over many settings (float64, non-contiguous inputs)', () => {
    let seed = 1;
    for (const c of CASES) {
      const x = rand(c.x, seed++, { layout: c.xLayout });
      const w = rand(c.w, seed++, { layout: c.wLayout });
      const opts = convOptions(c.g);
      const y = conv2d(x, w, null, opts);
      const ref = refConv(f64(x), c.x, f64(w), c.w, c.g);
      expect(y.shape).toEqual(ref.shape);
      expect(maxDiff(f64(y), ref.data)).toBeLessThan(1e-12);
    }
  });

  it('matches the reference in float32', () => {
    const c = CASES[2]!;
    const x = rand(c.x, 5).float();
    const w = rand(c.w, 6).float();
    const y = conv2d(x, w, null, convOptions(c.g));
    expect(y.dtype).toBe('float32');
    const ref = refConv(f64(x), c.x, f64(w), c.w, c.g);
    expect(maxDiff(f64(y), ref.data)).toBeLessThan(1e-5);
  });

  it('supports symmetric pairs, valid and same padding (asymmetric for even kernels)', () => {
    const x = rand([1, 2, 6, 7], 3);
    const w = rand([3, 2, 4, 3], 4); // even kernel height: 'same' pads 1 on top, 2 at the bottom
    const same = conv2d(x, w, null, { padding: 'same' });
    expect(same.shape).toEqual([1, 3, 6, 7]);
    const ref = refConvOf(x, w, geo([1, 1], [1, 2, 1, 1], [1, 1], 1));
    expect(maxDiff(f64(same), ref.data)).toBeLessThan(1e-12);
    const dil = conv2d(x, w, null, { padding: 'same', dilation: [1, 2] }); // total 4 wide → 2 + 2
    const refD = refConvOf(x, w, geo([1, 1], [1, 2, 2, 2], [1, 2], 1));
    expect(maxDiff(f64(dil), refD.data)).toBeLessThan(1e-12);
    const pairPad = conv2d(x, w, null, { padding: [2, 1], stride: 2 });
    const refP = refConvOf(x, w, geo([2, 2], [2, 2, 1, 1], [1, 1], 1));
    expect(maxDiff(f64(pairPad), refP.data)).toBeLessThan(1e-12);
    expect(conv2d(x, w, null, { padding: 'valid' }).shape).toEqual([1, 3, 3, 5]);
  });

  it('adds a bias per output channel and accepts unbatched input', () => {
    const x = rand([2, 3, 3], 7);
    const w = rand([2, 2, 2, 2], 8);
    const b = tensor([10, -20], { dtype: 'float64' });
    const y = conv2d(x, w, b);
    expect(y.shape).toEqual([2, 2, 2]);
    const ref = refConv(f64(x), [1, 2, 3, 3], f64(w), [2, 2, 2, 2], geo([1, 1], [0, 0, 0, 0], [1, 1], 1));
    const expected = ref.data.map((v, i) => v + (i < 4 ? 10 : -20));
    expect(maxDiff(f64(y), expected)).toBeLessThan(1e-12);
    expect(x.conv2d(w, b).shape).toEqual([2, 2, 2]);
  });

  it('records one conv2d op with normalised params (bias as reshape + add)', () => {
    const x = rand([1, 2, 5, 5], 1);
    const w = rand([4, 1, 3, 3], 2);
    const calls = recordOps(() =>
      conv2d(x, w, zeros([4], { dtype: 'float64' }), { stride: 2, padding: 1, groups: 2 }),
    );
    expect(calls.map((c) => c.name)).toEqual(['conv2d', 'reshape', 'add']);
    expect(calls[0]!.inputs).toEqual([x, w]);
    expect(calls[0]!.attrs).toEqual({
      params: { stride: [2, 2], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 2 },
    });
  });

  it('rejects bad input with clear errors', () => {
    const x = zeros([1, 3, 5, 5]);
    expect(() => conv2d(x, zeros([4, 2, 3, 3]))).toThrow(
      'conv2d: input [1,3,5,5] has 3 channels but weight [4,2,3,3] with groups=1 expects 2',
    );
    expect(() => conv2d(x, zeros([4, 1, 3, 3]), null, { groups: 2 })).toThrow(
      'conv2d: input channels 3 are not divisible by groups=2',
    );
    expect(() => conv2d(zeros([1, 4, 5, 5]), zeros([3, 2, 3, 3]), null, { groups: 2 })).toThrow(
      'conv2d: weight [3,2,3,3] has 3 output channels, not divisible by groups=2',
    );
    expect(() => conv2d(x, zeros([4, 3, 7, 3]))).toThrow(
      'conv2d: kernel 7x3 (dilation 1x1, effective 7x3) is larger than the padded input 5x5',
    );
    expect(() => conv2d(x, zeros([4, 3, 3, 3]), null, { dilation: 3 })).toThrow(
      'effective 7x7) is larger than the padded input 5x5',
    );
    expect(() => conv2d(x, zeros([4, 3, 3, 3]), null, { stride: 0 })).toThrow(
      'conv2d: stride must be positive integers, got 0',
    );
    expect(() => conv2d(x, zeros([4, 3, 3, 3]), null, { padding: -1 })).toThrow(
      'conv2d: padding must be non-negative integers',
    );
    expect(() => conv2d(x, zeros([4, 3, 3, 3]), null, { groups: 0 })).toThrow(
      'conv2d: groups must be a positive integer, got 0',
    );
    expect(() => conv2d(x, zeros([4, 3, 3, 3]), null, { padding: 'same', stride: 2 })).toThrow(
      "conv2d: padding='same' is not supported for strided convolutions",
    );
    expect(() => conv2d(zeros([3, 5]), zeros([4, 3, 3, 3]))).toThrow(
      'conv2d: input must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape [3,5]',
    );
    expect(() => conv2d(x, zeros([4, 3, 3]))).toThrow('conv2d: weight must be 4-D');
    expect(() => conv2d(x, zeros([4, 3, 3, 3], { dtype: 'float64' }))).toThrow(
      'conv2d: tensors must have the same dtype, got float32 and float64',
    );
    expect(() =>
      conv2d(zeros([1, 3, 5, 5], { dtype: 'int32' }), zeros([4, 3, 3, 3], { dtype: 'int32' })),
    ).toThrow('conv2d: expected floating-point tensors, got int32');
    expect(() => conv2d(x, zeros([4, 3, 3, 3]), zeros([3]))).toThrow(
      'conv2d: bias must have shape [4] (one per output channel), got [3]',
    );
  });
});

describe('conv2d backward kernels', () => {
  it('match the naive references over many settings', () => {
    let seed = 500;
    for (const c of CASES) {
      const x = rand(c.x, seed++, { layout: c.xLayout });
      const w = rand(c.w, seed++, { layout: c.wLayout });
      const opts = convOptions(c.g);
      const yShape = conv2d(x, w, null, opts).shape as number[];
      // dy stored transposed to exercise strided reads
      const dy = rand(yShape, seed++, { layout: [0, 1, 3, 2] });
      const dx = conv2dBackwardInput(dy, w, c.x, opts);
      expect(dx.shape).toEqual(c.x);
      expect(maxDiff(f64(dx), refBackInput(f64(dy), c.x, f64(w), c.w, c.g))).toBeLessThan(1e-11);
      const dw = conv2dBackwardWeight(x, dy, c.w, opts);
      expect(dw.shape).toEqual(c.w);
      expect(maxDiff(f64(dw), refBackWeight(f64(x), c.x, f64(dy), c.w, c.g))).toBeLessThan(1e-10);
    }
  });

  it('satisfy the adjoint identity <conv(x, w), dy> = <x, dx> = <w, dw>', () => {
    let seed = 900;
    for (const c of CASES.slice(0, 8)) {
      const x = rand(c.x, seed++);
      const w = rand(c.w, seed++);
      const opts = convOptions(c.g);
      const y = conv2d(x, w, null, opts);
      const dy = rand(y.shape as number[], seed++);
      const lhs = dotAll(f64(y), f64(dy));
      expect(dotAll(f64(x), f64(conv2dBackwardInput(dy, w, c.x, opts)))).toBeCloseTo(lhs, 10);
      expect(dotAll(f64(w), f64(conv2dBackwardWeight(x, dy, c.w, opts)))).toBeCloseTo(lhs, 10);
    }
  });

  it('agree with central finite differences of the forward', () => {
    const g = geo([2, 1], [1, 0, 2, 1], [1, 2], 2);
    const xs = [1, 4, 5, 6];
    const wsh = [2, 2, 2, 3];
    const x = rand(xs, 31);
    const w = rand(wsh, 32);
    const opts = convOptions(g);
    const y = conv2d(x, w, null, opts);
    const dy = rand(y.shape as number[], 33);
    const loss = (xv: Float64Array, wv: Float64Array): number =>
      dotAll(refConv(xv, xs, wv, wsh, g).data, f64(dy));
    const dx = f64(conv2dBackwardInput(dy, w, xs, opts));
    const dw = f64(conv2dBackwardWeight(x, dy, wsh, opts));
    const xv = f64(x);
    const wv = f64(w);
    const h = 1e-6;
    for (const i of [0, 7, 29, 61, 119]) {
      expect(dx[i]!).toBeCloseTo(
        centralDiff(xv, i, h, (v) => loss(v, wv)),
        6,
      );
    }
    for (let i = 0; i < wv.length; i += 5) {
      expect(dw[i]!).toBeCloseTo(
        centralDiff(wv, i, h, (v) => loss(xv, v)),
        6,
      );
    }
  });

  it('record their ops and check shapes', () => {
    const dy = rand([1, 2, 3, 3], 1);
    const w = rand([2, 3, 3, 3], 2);
    const x = rand([1, 3, 5, 5], 3);
    const calls = recordOps(() => {
      conv2dBackwardInput(dy, w, [1, 3, 5, 5]);
      conv2dBackwardWeight(x, dy, [2, 3, 3, 3]);
    });
    expect(calls.map((c) => c.name)).toEqual(['conv2dBackwardInput', 'conv2dBackwardWeight']);
    const params = { stride: [1, 1], padding: [0, 0, 0, 0], dilation: [1, 1], groups: 1 };
    expect(calls[0]!.attrs).toEqual({ params, inputShape: [1, 3, 5, 5] });
    expect(calls[1]!.attrs).toEqual({ params, weightShape: [2, 3, 3, 3] });
    expect(() => conv2dBackwardInput(dy, w, [1, 3, 6, 5])).toThrow(
      'conv2dBackwardInput: grad_output has shape [1,2,3,3] but a convolution of input [1,3,6,5] with weight [2,3,3,3]',
    );
    expect(() => conv2dBackwardWeight(x, dy, [2, 3, 2, 2])).toThrow(
      'conv2dBackwardWeight: grad_output has shape [1,2,3,3]',
    );
    expect(() => conv2dBackwardInput(dy, w, [1, 3, 5])).toThrow(
      'conv2dBackwardInput: input shape must be 4 non-negative integers',
    );
  });
});

describe('conv1d', () => {
  it('matches a naive 1-D reference (groups, dilation, stride, same)', () => {
    const x = rand([2, 4, 11], 1);
    const w = rand([6, 2, 3], 2);
    const y = conv1d(x, w, null, { stride: 2, padding: 1, dilation: 2, groups: 2 });
    const ref = refConv(f64(x), [2, 4, 1, 11], f64(w), [6, 2, 1, 3], geo([1, 2], [0, 0, 1, 1], [1, 2], 2));
    expect(y.shape).toEqual([2, 6, ref.shape[3]!]);
    expect(maxDiff(f64(y), ref.data)).toBeLessThan(1e-12);
    const same = conv1d(x, rand([3, 4, 4], 3), tensor([1, 2, 3], { dtype: 'float64' }), { padding: 'same' });
    expect(same.shape).toEqual([2, 3, 11]);
    expect(conv1d(rand([4, 11], 4), w, null, { groups: 2 }).shape).toEqual([6, 9]);
    expect(() => conv1d(x, rand([6, 3, 3], 5))).toThrow(
      'conv1d: input [2,4,1,11] has 4 channels but weight [6,3,1,3]',
    );
    expect(() => conv1d(x, rand([6, 4, 3, 3], 5))).toThrow('conv1d: weight must be 3-D');
  });
});

describe('convTranspose2d', () => {
  /** Naive transposed convolution: each input element scatters x * w into the output. */
  function refTranspose(
    x: Float64Array,
    xs: number[],
    w: Float64Array,
    wsh: number[],
    s: number[],
    p: number[],
    op: number[],
    d: number[],
    groups: number,
  ): { data: Float64Array; shape: number[] } {
    const [N, Cin, H, W] = xs as [number, number, number, number];
    const [, CoutG, KH, KW] = wsh as [number, number, number, number];
    const Cout = CoutG * groups;
    const CinG = Cin / groups;
    const OH = (H - 1) * s[0]! - 2 * p[0]! + d[0]! * (KH - 1) + op[0]! + 1;
    const OW = (W - 1) * s[1]! - 2 * p[1]! + d[1]! * (KW - 1) + op[1]! + 1;
    const out = new Float64Array(N * Cout * OH * OW);
    for (let n = 0; n < N; n++)
      for (let ci = 0; ci < Cin; ci++) {
        const grp = Math.floor(ci / CinG);
        for (let h = 0; h < H; h++)
          for (let ww = 0; ww < W; ww++)
            for (let co = 0; co < CoutG; co++)
              for (let kh = 0; kh < KH; kh++)
                for (let kw = 0; kw < KW; kw++) {
                  const oh = h * s[0]! - p[0]! + kh * d[0]!;
                  const ow = ww * s[1]! - p[1]! + kw * d[1]!;
                  if (oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
                  out[((n * Cout + grp * CoutG + co) * OH + oh) * OW + ow]! +=
                    x[((n * Cin + ci) * H + h) * W + ww]! * w[((ci * CoutG + co) * KH + kh) * KW + kw]!;
                }
      }
    return { data: out, shape: [N, Cout, OH, OW] };
  }

  it('matches a naive scatter reference (stride, padding, output padding, dilation, groups, bias)', () => {
    const settings = [
      { xs: [2, 3, 4, 5], ws: [3, 2, 3, 3], s: [1, 1], p: [0, 0], op: [0, 0], d: [1, 1], g: 1 },
      { xs: [1, 4, 3, 4], ws: [4, 3, 3, 2], s: [2, 3], p: [1, 0], op: [1, 2], d: [1, 1], g: 2 },
      { xs: [2, 2, 5, 3], ws: [2, 1, 2, 3], s: [2, 2], p: [1, 1], op: [0, 1], d: [2, 1], g: 2 },
      { xs: [1, 1, 1, 1], ws: [1, 1, 1, 1], s: [1, 1], p: [0, 0], op: [0, 0], d: [1, 1], g: 1 },
    ];
    let seed = 70;
    for (const c of settings) {
      const x = rand(c.xs, seed++);
      const w = rand(c.ws, seed++);
      const y = convTranspose2d(x, w, null, {
        stride: c.s as [number, number],
        padding: c.p as [number, number],
        outputPadding: c.op as [number, number],
        dilation: c.d as [number, number],
        groups: c.g,
      });
      const ref = refTranspose(f64(x), c.xs, f64(w), c.ws, c.s, c.p, c.op, c.d, c.g);
      expect(y.shape).toEqual(ref.shape);
      expect(maxDiff(f64(y), ref.data)).toBeLessThan(1e-12);
    }
    const x = rand([3, 2, 2], 1);
    const w = rand([3, 2, 2, 2], 2);
    const b = tensor([1, -1], { dtype: 'float64' });
    const y = convTranspose2d(x, w, b, { stride: 2 });
    expect(y.shape).toEqual([2, 4, 4]);
    const ref = refTranspose(f64(x), [1, 3, 2, 2], f64(w), [3, 2, 2, 2], [2, 2], [0, 0], [0, 0], [1, 1], 1);
    expect(
      maxDiff(
        f64(y),
        ref.data.map((v, i) => v + (i < 16 ? 1 : -1)),
      ),
    ).toBeLessThan(1e-12);
  });

  it('validates its arguments', () => {
    const x = zeros([1, 3, 4, 4]);
    expect(() => convTranspose2d(x, zeros([2, 2, 3, 3]))).toThrow(
      'convTranspose2d: input [1,3,4,4] has 3 channels but weight [2,2,3,3] expects 2',
    );
    expect(() => convTranspose2d(x, zeros([3, 2, 3, 3]), null, { outputPadding: 1 })).toThrow(
      'convTranspose2d: outputPadding [1,1] must be smaller than stride [1,1]',
    );
    expect(() => convTranspose2d(x, zeros([3, 2, 3, 3]), null, { groups: 2 })).toThrow(
      'not divisible by groups=2',
    );
    expect(() => convTranspose2d(x, zeros([3, 2, 1, 1]), null, { padding: 2 })).toThrow(
      'convTranspose2d: output size 0x0 is not positive',
    );
  });
});

describe('unfold / fold', () => {
  it('unfold matches a naive im2col', () => {
    const x = rand([2, 3, 5, 6], 1, { layout: [0, 2, 3, 1] });
    const k: [number, number] = [2, 3];
    const opts = {
      stride: [2, 1] as [number, number],
      padding: [1, 2] as [number, number],
      dilation: [2, 1] as [number, number],
    };
    const cols = unfold(x, k, opts);
    const xv = f64(x);
    const OH = Math.floor((5 + 2 - 2 * 1 - 1) / 2) + 1;
    const OW = Math.floor((6 + 4 - 1 * 2 - 1) / 1) + 1;
    expect(cols.shape).toEqual([2, 3 * 6, OH * OW]);
    const got = f64(cols);
    for (let n = 0; n < 2; n++)
      for (let c = 0; c < 3; c++)
        for (let kh = 0; kh < 2; kh++)
          for (let kw = 0; kw < 3; kw++)
            for (let oh = 0; oh < OH; oh++)
              for (let ow = 0; ow < OW; ow++) {
                const ih = oh * 2 - 1 + kh * 2;
                const iw = ow - 2 + kw;
                const v = ih < 0 || ih >= 5 || iw < 0 || iw >= 6 ? 0 : xv[((n * 3 + c) * 5 + ih) * 6 + iw]!;
                const row = (c * 2 + kh) * 3 + kw;
                expect(got[(n * 18 + row) * OH * OW + oh * OW + ow]).toBe(v);
              }
  });

  it('fold is the adjoint of unfold and inverts it for non-overlapping blocks', () => {
    const x = rand([2, 2, 6, 4], 3);
    const blocks = unfold(x, 2, { stride: 2 });
    expect(blocks.shape).toEqual([2, 8, 6]);
    expect(maxDiff(f64(fold(blocks, [6, 4], 2, { stride: 2 })), f64(x))).toBe(0);
    const opts = { stride: 1, padding: 1, dilation: [1, 2] as [number, number] };
    const u = unfold(x, [3, 2], opts);
    const y = rand(u.shape as number[], 4);
    const lhs = dotAll(f64(u), f64(y));
    expect(dotAll(f64(x), f64(fold(y, [6, 4], [3, 2], opts)))).toBeCloseTo(lhs, 10);
    // overlapping blocks of ones count how many windows cover each pixel
    const ones1 = fold(
      unfold(
        tensor([
          [
            [
              [1, 1, 1],
              [1, 1, 1],
            ],
          ],
        ]),
        [1, 2],
      ),
      [2, 3],
      [1, 2],
    );
    expect(ones1.arraySync()).toEqual([
      [
        [
          [1, 2, 1],
          [1, 2, 1],
        ],
      ],
    ]);
    expect(unfold(rand([2, 4, 4], 5), 2).shape).toEqual([8, 9]);
    expect(fold(rand([8, 9], 6), [4, 4], 2).shape).toEqual([2, 4, 4]);
  });

  it('validates shapes', () => {
    expect(() => fold(zeros([1, 7, 9]), [4, 4], 2)).toThrow(
      'fold: dim 1 of input [1,7,9] (7) is not divisible by the kernel size 2*2',
    );
    expect(() => fold(zeros([1, 8, 8]), [4, 4], 2)).toThrow(
      'fold: input [1,8,8] has 8 blocks but output size [4,4] with kernel [2,2] gives 3*3=9',
    );
    expect(() => unfold(zeros([1, 1, 2, 2]), 3)).toThrow('unfold: kernel 3x3');
    expect(() => unfold(zeros([2, 2]), 1)).toThrow('unfold: input must be 4-D');
  });
});
