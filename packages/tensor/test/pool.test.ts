import {
  adaptiveAvgPool2d,
  arange,
  avgPool2d,
  avgPool2dBackward,
  maxPool2d,
  maxPool2dBackward,
  maxPool2dWithIndices,
  type OpCall,
  type Pool2dParams,
  setOpObserver,
  tensor,
  zeros,
} from '@tessera/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { dotAll, f64, maxDiff, rand } from './helpers-float64.js';
import { recordOps } from './shaping-ref.js';

// Pooling checked against naive loops that follow PyTorch's formulas, written independently here.

interface PoolCase {
  shape: number[];
  k: [number, number];
  s: [number, number];
  p: [number, number];
  d: [number, number];
  ceil: boolean;
  layout?: number[];
}

/** PyTorch's pooling_output_shape. */
function outSize(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  let o = Math.floor((size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= size + p) o--;
  return o;
}

function refMax(x: Float64Array, c: PoolCase): { v: Float64Array; i: Int32Array; shape: number[] } {
  const [N, C, H, W] = c.shape as [number, number, number, number];
  const OH = outSize(H, c.k[0], c.s[0], c.p[0], c.d[0], c.ceil);
  const OW = outSize(W, c.k[1], c.s[1], c.p[1], c.d[1], c.ceil);
  const v = new Float64Array(N * C * OH * OW);
  const idx = new Int32Array(v.length);
  let o = 0;
  for (let nc = 0; nc < N * C; nc++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++, o++) {
        let m = -Infinity;
        let at = -1;
        for (let i = 0; i < c.k[0]; i++)
          for (let j = 0; j < c.k[1]; j++) {
            const ih = oh * c.s[0] - c.p[0] + i * c.d[0];
            const iw = ow * c.s[1] - c.p[1] + j * c.d[1];
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            const val = x[nc * H * W + ih * W + iw]!;
            if (at < 0 || val > m || Number.isNaN(val)) {
              m = val;
              at = ih * W + iw;
            }
          }
        v[o] = m;
        idx[o] = at;
      }
  return { v, i: idx, shape: [N, C, OH, OW] };
}

/** PyTorch's avg_pool2d loop (no dilation). */
function refAvg(
  x: Float64Array,
  c: PoolCase,
  countIncludePad: boolean,
  divisorOverride?: number,
): Float64Array {
  const [N, C, H, W] = c.shape as [number, number, number, number];
  const OH = outSize(H, c.k[0], c.s[0], c.p[0], 1, c.ceil);
  const OW = outSize(W, c.k[1], c.s[1], c.p[1], 1, c.ceil);
  const out = new Float64Array(N * C * OH * OW);
  let o = 0;
  for (let nc = 0; nc < N * C; nc++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++, o++) {
        let hs = oh * c.s[0] - c.p[0];
        let ws = ow * c.s[1] - c.p[1];
        let he = Math.min(hs + c.k[0], H + c.p[0]);
        let we = Math.min(ws + c.k[1], W + c.p[1]);
        const poolSize = (he - hs) * (we - ws);
        hs = Math.max(hs, 0);
        ws = Math.max(ws, 0);
        he = Math.min(he, H);
        we = Math.min(we, W);
        let sum = 0;
        for (let ih = hs; ih < he; ih++) for (let iw = ws; iw < we; iw++) sum += x[nc * H * W + ih * W + iw]!;
        const div = divisorOverride ?? (countIncludePad ? poolSize : (he - hs) * (we - ws));
        out[o] = sum / div;
      }
  return out;
}

const CASES: PoolCase[] = [
  { shape: [1, 1, 4, 4], k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1], ceil: false },
  { shape: [2, 3, 7, 6], k: [3, 2], s: [2, 1], p: [1, 1], d: [1, 1], ceil: false },
  { shape: [2, 3, 7, 6], k: [3, 3], s: [2, 2], p: [1, 0], d: [1, 1], ceil: true, layout: [0, 2, 3, 1] },
  { shape: [1, 2, 5, 5], k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1], ceil: true },
  { shape: [1, 2, 9, 8], k: [3, 2], s: [3, 2], p: [1, 1], d: [1, 1], ceil: true },
  { shape: [3, 1, 6, 9], k: [4, 3], s: [1, 3], p: [2, 1], d: [1, 1], ceil: false, layout: [3, 2, 1, 0] },
  { shape: [1, 1, 1, 1], k: [1, 1], s: [1, 1], p: [0, 0], d: [1, 1], ceil: false },
];

const DILATED: PoolCase[] = [
  { shape: [2, 2, 9, 10], k: [3, 2], s: [2, 1], p: [1, 1], d: [2, 3], ceil: false },
  { shape: [1, 3, 8, 8], k: [2, 3], s: [3, 2], p: [1, 1], d: [2, 2], ceil: true, layout: [0, 3, 2, 1] },
];

afterEach(() => {
  setOpObserver(null);
});

describe('maxPool2d', () => {
  it('pools a hand-worked 4x4 plane with indices', () => {
    const x = arange(16).float().reshape(1, 1, 4, 4);
    const r = maxPool2dWithIndices(x, 2);
    expect(r.values.arraySync()).toEqual([
      [
        [
          [5, 7],
          [13, 15],
        ],
      ],
    ]);
    expect(r.indices.arraySync()).toEqual([
      [
        [
          [5, 7],
          [13, 15],
        ],
      ],
    ]);
    expect(r.indices.dtype).toBe('int32');
    // ceil mode on 5x5: a third window covering only row/column 4
    const y = arange(25).float().reshape(1, 1, 5, 5);
    expect(maxPool2d(y, 2, { ceilMode: true }).arraySync()).toEqual([
      [
        [
          [6, 8, 9],
          [16, 18, 19],
          [21, 23, 24],
        ],
      ],
    ]);
    expect(maxPool2d(y, 2).shape).toEqual([1, 1, 2, 2]);
    // unbatched input
    expect(maxPool2d(arange(16).float().reshape(1, 4, 4), 2, { stride: 1 }).shape).toEqual([1, 3, 3]);
  });

  it('matches the reference (values and indices), incl. dilation and non-contiguous input', () => {
    let seed = 1;
    for (const c of [...CASES, ...DILATED]) {
      const x = rand(c.shape, seed++, { layout: c.layout });
      const r = maxPool2dWithIndices(x, c.k, { stride: c.s, padding: c.p, dilation: c.d, ceilMode: c.ceil });
      const ref = refMax(f64(x), c);
      expect(r.values.shape).toEqual(ref.shape);
      expect(maxDiff(f64(r.values), ref.v)).toBe(0);
      expect(Array.from(r.indices.dataSync())).toEqual(Array.from(ref.i));
    }
  });

  it('propagates NaN and picks real elements when all are -Infinity', () => {
    const x = tensor([
      [
        [
          [1, Number.NaN, 3, 4],
          [-Infinity, -Infinity, 0, 1],
        ],
      ],
    ]);
    const r = maxPool2dWithIndices(x, [2, 2]);
    const v = r.values.arraySync() as number[][][][];
    expect(Number.isNaN(v[0]![0]![0]![0]!)).toBe(true);
    expect(v[0]![0]![0]![1]).toBe(4);
    expect(r.indices.arraySync()).toEqual([[[[1, 3]]]]);
    const allNeg = maxPool2dWithIndices(tensor([[[[-Infinity, -Infinity]]]]), [1, 2]);
    expect(allNeg.values.item()).toBe(-Infinity);
    expect(allNeg.indices.item()).toBe(0);
  });

  it('records one op with two outputs', () => {
    const calls: OpCall[] = [];
    setOpObserver({
      run(call, compute) {
        calls.push(call);
        const out = compute();
        expect(Array.isArray(out)).toBe(true);
        return out;
      },
    });
    const x = rand([1, 2, 4, 4], 1);
    maxPool2d(x, 2, { padding: 1 });
    setOpObserver(null);
    expect(calls.map((c) => c.name)).toEqual(['maxPool2d']);
    expect(calls[0]!.attrs).toEqual({
      params: {
        kernel: [2, 2],
        stride: [2, 2],
        padding: [1, 1],
        dilation: [1, 1],
        ceilMode: false,
        countIncludePad: true,
      },
      inputShape: [1, 2, 4, 4],
    });
  });

  it('backward scatters dy to the saved indices (overlapping windows add up)', () => {
    let seed = 40;
    for (const c of [CASES[1]!, CASES[5]!, DILATED[0]!, { ...CASES[1]!, k: [3, 3], s: [1, 1] } as PoolCase]) {
      const x = rand(c.shape, seed++);
      const r = maxPool2dWithIndices(x, c.k, { stride: c.s, padding: c.p, dilation: c.d, ceilMode: c.ceil });
      const dy = rand(r.values.shape as number[], seed++, { layout: [0, 1, 3, 2] });
      const dx = maxPool2dBackward(dy, r.indices, c.shape);
      const [N, C, H, W] = c.shape as [number, number, number, number];
      const ref = new Float64Array(N * C * H * W);
      const idx = r.indices.dataSync();
      const g = f64(dy);
      const per = g.length / (N * C);
      for (let i = 0; i < g.length; i++) ref[Math.floor(i / per) * H * W + idx[i]!]! += g[i]!;
      expect(maxDiff(f64(dx), ref)).toBeLessThan(1e-14);
    }
    expect(() =>
      maxPool2dBackward(zeros([1, 1, 2, 2]), zeros([1, 1, 2, 2], { dtype: 'int32' }), [1, 2, 4, 4]),
    ).toThrow(
      'maxPool2dBackward: grad_output [1,1,2,2] and indices [1,1,2,2] must have the same shape [N, C, OH, OW] matching input [1,2,4,4]',
    );
    expect(() => maxPool2dBackward(zeros([1, 1, 2, 2]), zeros([1, 1, 2, 2]), [1, 1, 4, 4])).toThrow(
      'maxPool2dBackward: indices must be int32, got float32',
    );
  });

  it('rejects bad settings', () => {
    const x = zeros([1, 1, 4, 4]);
    expect(() => maxPool2d(x, 2, { padding: 2 })).toThrow(
      'maxPool2d: padding [2,2] must be at most half of the (dilated) kernel size [2,2]',
    );
    expect(() => maxPool2d(x, 5)).toThrow(
      'maxPool2d: output size 0x0 is too small: input [1,1,4,4], kernel [5,5]',
    );
    expect(() => maxPool2d(x, 0)).toThrow('maxPool2d: kernelSize must be positive integers, got 0');
    expect(() => maxPool2d(x, 2, { stride: [1, 0] })).toThrow(
      'maxPool2d: stride must be positive integers, got [1,0]',
    );
    expect(() => maxPool2d(zeros([4, 4]), 2)).toThrow(
      'maxPool2d: input must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape [4,4]',
    );
    expect(() => maxPool2d(zeros([1, 1, 4, 4], { dtype: 'bool' }), 2)).toThrow(
      'maxPool2d: expected a numeric tensor, got bool',
    );
  });
});

describe('avgPool2d', () => {
  it('averages a hand-worked 4x4 plane', () => {
    const x = arange(16).float().reshape(1, 1, 4, 4);
    expect(avgPool2d(x, 2).arraySync()).toEqual([
      [
        [
          [2.5, 4.5],
          [10.5, 12.5],
        ],
      ],
    ]);
    // padding 1, kernel 2, stride 2: corner window holds only x[0,0] = 0 and counts 4 cells
    const p = avgPool2d(x, 2, { padding: 1 }).arraySync() as number[][][][];
    expect(p[0]![0]![0]).toEqual([0, (1 + 2) / 4, 3 / 4]);
    const q = avgPool2d(x, 2, { padding: 1, countIncludePad: false }).arraySync() as number[][][][];
    expect(q[0]![0]![0]).toEqual([0, 1.5, 3]);
    const r = avgPool2d(x, 2, { divisorOverride: 2 }).arraySync() as number[][][][];
    expect(r[0]![0]![0]).toEqual([5, 9]);
  });

  it('matches PyTorch formulas for padding, ceil mode, countIncludePad and divisorOverride', () => {
    let seed = 100;
    for (const c of CASES) {
      const x = rand(c.shape, seed++, { layout: c.layout });
      for (const countIncludePad of [true, false]) {
        for (const divisorOverride of [undefined, 3]) {
          const opts = { stride: c.s, padding: c.p, ceilMode: c.ceil, countIncludePad, divisorOverride };
          const y = avgPool2d(x, c.k, opts);
          expect(maxDiff(f64(y), refAvg(f64(x), c, countIncludePad, divisorOverride))).toBeLessThan(1e-14);
        }
      }
    }
  });

  it('handles dilation (mean over in-bounds taps without countIncludePad)', () => {
    const c = DILATED[0]!;
    const x = rand(c.shape, 7);
    const y = avgPool2d(x, c.k, { stride: c.s, padding: c.p, dilation: c.d, countIncludePad: false });
    const [N, C, H, W] = c.shape as [number, number, number, number];
    const OH = outSize(H, c.k[0], c.s[0], c.p[0], c.d[0], false);
    const OW = outSize(W, c.k[1], c.s[1], c.p[1], c.d[1], false);
    const xv = f64(x);
    const ref = new Float64Array(N * C * OH * OW);
    let o = 0;
    for (let nc = 0; nc < N * C; nc++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++, o++) {
          let sum = 0;
          let cnt = 0;
          for (let i = 0; i < c.k[0]; i++)
            for (let j = 0; j < c.k[1]; j++) {
              const ih = oh * c.s[0] - c.p[0] + i * c.d[0];
              const iw = ow * c.s[1] - c.p[1] + j * c.d[1];
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
              sum += xv[nc * H * W + ih * W + iw]!;
              cnt++;
            }
          ref[o] = sum / cnt;
        }
    expect(maxDiff(f64(y), ref)).toBeLessThan(1e-14);
  });

  it('backward is the adjoint of the forward', () => {
    let seed = 300;
    for (const c of [...CASES, ...DILATED]) {
      for (const countIncludePad of [true, false]) {
        const x = rand(c.shape, seed++);
        const params: Pool2dParams = {
          kernel: c.k,
          stride: c.s,
          padding: c.p,
          dilation: c.d,
          ceilMode: c.ceil,
          countIncludePad,
        };
        const { kernel: _kernel, ...opts } = params;
        const y = avgPool2d(x, c.k, opts);
        const dy = rand(y.shape as number[], seed++, { layout: [1, 0, 2, 3] });
        const dx = avgPool2dBackward(dy, c.shape, params);
        expect(dx.shape).toEqual(c.shape);
        expect(dotAll(f64(x), f64(dx))).toBeCloseTo(dotAll(f64(y), f64(dy)), 12);
      }
    }
  });

  it('records its ops and rejects bad settings', () => {
    const x = rand([1, 1, 4, 4], 1);
    let y = x;
    const forward = recordOps(() => {
      y = avgPool2d(x, 2, { ceilMode: true, countIncludePad: false });
    });
    const params = forward[0]!.attrs.params as Pool2dParams;
    const calls = [...forward, ...recordOps(() => avgPool2dBackward(y, [1, 1, 4, 4], params))];
    expect(calls.map((c) => c.name)).toEqual(['avgPool2d', 'avgPool2dBackward']);
    expect(params).toEqual({
      kernel: [2, 2],
      stride: [2, 2],
      padding: [0, 0],
      dilation: [1, 1],
      ceilMode: true,
      countIncludePad: false,
    });
    expect(calls[1]!.attrs).toEqual({ params, inputShape: [1, 1, 4, 4] });
    expect(() => avgPool2d(zeros([1, 1, 4, 4], { dtype: 'int32' }), 2)).toThrow(
      'avgPool2d: expected a floating-point tensor, got int32',
    );
    expect(() => avgPool2d(x, 2, { divisorOverride: 0 })).toThrow(
      'avgPool2d: divisorOverride must be a non-zero integer, got 0',
    );
    expect(() => avgPool2dBackward(zeros([1, 1, 3, 3]), [1, 1, 4, 4], params)).toThrow(
      'avgPool2dBackward: grad_output has shape [1,1,3,3] but pooling input [1,1,4,4] produces [1,1,2,2]',
    );
  });
});

describe('adaptiveAvgPool2d', () => {
  function refAdaptive(x: Float64Array, shape: number[], oh: number, ow: number): Float64Array {
    const [N, C, H, W] = shape as [number, number, number, number];
    const out = new Float64Array(N * C * oh * ow);
    let o = 0;
    for (let nc = 0; nc < N * C; nc++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++, o++) {
          const h0 = Math.floor((i * H) / oh);
          const h1 = Math.ceil(((i + 1) * H) / oh);
          const w0 = Math.floor((j * W) / ow);
          const w1 = Math.ceil(((j + 1) * W) / ow);
          let s = 0;
          for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) s += x[nc * H * W + h * W + w]!;
          out[o] = s / ((h1 - h0) * (w1 - w0));
        }
    return out;
  }

  it('matches the reference for divisible, non-divisible and upsampling sizes', () => {
    const cases: [number[], [number, number]][] = [
      [
        [2, 3, 8, 6],
        [4, 3],
      ],
      [
        [2, 3, 7, 5],
        [3, 2],
      ],
      [
        [1, 2, 5, 5],
        [7, 7],
      ],
      [
        [1, 1, 6, 7],
        [1, 1],
      ],
      [
        [2, 1, 10, 3],
        [4, 3],
      ],
    ];
    let seed = 11;
    for (const [shape, [oh, ow]] of cases) {
      const x = rand(shape, seed++, { layout: [0, 2, 3, 1] });
      const y = adaptiveAvgPool2d(x, [oh, ow]);
      expect(y.shape).toEqual([shape[0], shape[1], oh, ow]);
      expect(maxDiff(f64(y), refAdaptive(f64(x), shape, oh, ow))).toBeLessThan(1e-14);
    }
    const f = adaptiveAvgPool2d(rand([3, 7, 5], 1).float(), 2);
    expect(f.shape).toEqual([3, 2, 2]);
    expect(f.dtype).toBe('float32');
    expect(() => adaptiveAvgPool2d(rand([1, 1, 4, 4], 1), 0)).toThrow(
      'adaptiveAvgPool2d: outputSize must be positive integers, got 0',
    );
  });
});
