import {
  type Conv2dOptions,
  type Conv2dParams,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  convGeometry,
  cpuKernelStats,
  initCpuKernels,
  randn,
  setNumThreads,
  type Tensor,
} from '@tessera/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWasmKernels } from '../src/wasm/index.js';
import { spaceToDepthGeometry, spaceToDepthInputGradientFits } from '../src/wasm/space-to-depth.js';
import { expectClose, expectIdentical, prng, VARIANTS, withKernels } from './wasm-helpers.js';

// The WebAssembly conv2d kernels (forward, input gradient, weight gradient; every variant) against
// the TypeScript kernels, over every geometry setting: stride, symmetric and asymmetric padding,
// dilation, groups (depthwise included), 1x1 and non-square kernels, and thread counts.

interface Case {
  x: [number, number, number, number];
  w: [number, number, number, number];
  o: Conv2dOptions;
}

/** The three conv kernels of a case under `mode`. */
function run(mode: Parameters<typeof withKernels>[0], x: Tensor, w: Tensor, dy: Tensor, o: Conv2dOptions) {
  return withKernels(mode, () => ({
    y: conv2d(x, w, null, o),
    dx: conv2dBackwardInput(dy, w, x.shape, o),
    dw: conv2dBackwardWeight(x, dy, w.shape, o),
  }));
}

function inputs(c: Case): [Tensor, Tensor, Tensor] {
  const x = randn(c.x);
  const w = randn(c.w);
  const y = withKernels('ts', () => conv2d(x, w, null, c.o));
  return [x, w, randn(y.shape)];
}

function check(c: Case, modes: readonly Parameters<typeof withKernels>[0][] = VARIANTS): void {
  const [x, w, dy] = inputs(c);
  const ref = run('ts', x, w, dy, c.o);
  const what = JSON.stringify(c);
  const [N, , OH, OW] = ref.y.shape as [number, number, number, number];
  const [O, Cg, KH, KW] = c.w;
  const groups = c.o.groups ?? 1;
  for (const v of modes) {
    const got = run(v, x, w, dy, c.o);
    expectClose(got.y, ref.y, Cg * KH * KW, `conv2d ${what} [${v}]`);
    expectClose(got.dx, ref.dx, (O / groups) * KH * KW, `conv2dBackwardInput ${what} [${v}]`);
    expectClose(got.dw, ref.dw, N * OH * OW, `conv2dBackwardWeight ${what} [${v}]`);
  }
}

const CASES: Case[] = [
  { x: [2, 3, 9, 11], w: [4, 3, 3, 3], o: { padding: 1 } },
  { x: [3, 1, 28, 28], w: [6, 1, 5, 5], o: { padding: 2 } },
  { x: [2, 6, 14, 14], w: [16, 6, 5, 5], o: {} },
  { x: [1, 5, 12, 13], w: [7, 5, 3, 3], o: { stride: 2, padding: 1 } },
  { x: [2, 4, 11, 9], w: [6, 4, 3, 2], o: { stride: [2, 1], padding: [1, 0] } },
  { x: [2, 4, 10, 12], w: [6, 4, 3, 3], o: { stride: [1, 3], padding: 2 } },
  { x: [1, 3, 12, 12], w: [4, 3, 3, 3], o: { dilation: 2, padding: 2 } },
  { x: [2, 3, 13, 11], w: [5, 3, 3, 2], o: { dilation: [1, 3], stride: [2, 1] } },
  { x: [2, 4, 8, 8], w: [3, 4, 3, 3], o: { padding: [0, 2, 1, 0] } },
  { x: [2, 4, 8, 9], w: [3, 4, 3, 3], o: { padding: [3, 0, 0, 2], stride: 2 } },
  { x: [2, 6, 9, 8], w: [9, 2, 3, 3], o: { groups: 3, padding: 1 } },
  { x: [2, 5, 7, 8], w: [5, 1, 3, 3], o: { groups: 5, padding: 1 } },
  { x: [2, 4, 7, 6], w: [8, 1, 3, 3], o: { groups: 4, stride: 2 } },
  { x: [2, 8, 6, 5], w: [12, 8, 1, 1], o: {} },
  { x: [2, 8, 6, 5], w: [12, 4, 1, 1], o: { groups: 2 } },
  { x: [1, 6, 9, 9], w: [5, 6, 1, 1], o: { stride: 2 } },
  { x: [1, 2, 3, 3], w: [3, 2, 5, 5], o: { padding: 2 } },
  { x: [1, 1, 1, 1], w: [1, 1, 1, 1], o: {} },
  { x: [1, 3, 1, 20], w: [4, 3, 1, 5], o: { padding: [0, 0, 2, 2] } },
  { x: [3, 2, 17, 1], w: [2, 2, 4, 1], o: { stride: [3, 1] } },
  // At least 8 input channels per group and stride 1: the direct kernel computes dx too (with
  // padding beyond the kernel's reach, the padded dy window is cropped).
  { x: [2, 8, 9, 10], w: [5, 8, 3, 2], o: { padding: [2, 0, 1, 1], dilation: [2, 1] } },
  { x: [1, 16, 7, 7], w: [6, 8, 3, 3], o: { padding: 3, groups: 2 } },
  { x: [1, 9, 4, 5], w: [3, 9, 5, 5], o: { padding: [3, 1, 0, 4] } },
  // Stride 2 with even kernels: forward and input gradient through the space-to-depth form
  // (DCGAN's discriminator and generator layers, odd sizes, asymmetric padding).
  { x: [2, 16, 14, 14], w: [32, 16, 4, 4], o: { stride: 2, padding: 1 } },
  { x: [3, 1, 28, 28], w: [16, 1, 4, 4], o: { stride: 2, padding: 1 } },
  { x: [2, 3, 9, 11], w: [5, 3, 2, 2], o: { stride: 2 } },
  { x: [2, 3, 10, 13], w: [4, 3, 4, 2], o: { stride: 2, padding: [2, 1, 0, 3] } },
  { x: [1, 2, 15, 12], w: [3, 2, 6, 4], o: { stride: 2, padding: [1, 1, 2, 2] } },
  // Rows too wide for the direct kernels' window: the im2col kernels take every pass.
  { x: [1, 16, 4, 2900], w: [3, 16, 3, 3], o: { padding: 1 } },
];

// The kernels load on first use (a separate chunk): load them before comparing with them.
beforeAll(async () => {
  expect(await loadWasmKernels()).not.toBeNull();
});

describe('WebAssembly conv2d kernels', () => {
  it.each(CASES.map((c) => [JSON.stringify(c), c] as const))('match the TypeScript kernels: %s', (_, c) => {
    check(c);
  });

  it('take stride-2 convolutions with even kernels through their space-to-depth form', () => {
    const g = (x: number[], w: number[], stride: number, pad: number, groups = 1) => {
      const p = {
        stride: [stride, stride],
        padding: [pad, pad, pad, pad],
        dilation: [1, 1],
        groups,
      } as const;
      const OH = Math.floor((x[2]! + 2 * pad - w[2]!) / stride) + 1;
      const OW = Math.floor((x[3]! + 2 * pad - w[3]!) / stride) + 1;
      return spaceToDepthGeometry(convGeometry(x, w, [x[0]!, w[0]!, OH, OW], p as unknown as Conv2dParams));
    };
    const sd = g([2, 16, 14, 14], [32, 16, 4, 4], 2, 1);
    expect(sd?.g).toMatchObject({ C: 64, H: 8, W: 8, KH: 2, KW: 2, OH: 7, OW: 7, sh: 1, pt: 0 });
    // Its input gradient has 64 phase channels: the direct kernel; one input channel (4): im2col.
    expect(spaceToDepthInputGradientFits(sd!)).toBe(true);
    expect(spaceToDepthInputGradientFits(g([2, 1, 28, 28], [16, 1, 4, 4], 2, 1)!)).toBe(false);
    expect(g([2, 16, 14, 14], [32, 16, 3, 3], 2, 1)).toBeNull();
    expect(g([2, 16, 14, 14], [32, 8, 4, 4], 2, 1, 2)).toBeNull();
    expect(g([2, 16, 14, 14], [32, 16, 4, 4], 1, 1)).toBeNull();
  });

  it('match on random geometries', () => {
    const r = prng(7);
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    for (let i = 0; i < 16; i++) {
      const groups = [1, 1, 2, 3][int(0, 3)]!;
      const C = groups * int(1, 4);
      const O = groups * int(1, 5);
      const KH = int(1, 4);
      const KW = int(1, 4);
      const o: Conv2dOptions = {
        stride: [int(1, 3), int(1, 3)],
        padding: [int(0, 2), int(0, 2), int(0, 2), int(0, 2)],
        dilation: [int(1, 2), int(1, 2)],
        groups,
      };
      const H = Math.max(1, (KH - 1) * 2 + int(1, 10));
      const W = Math.max(1, (KW - 1) * 2 + int(1, 10));
      check({ x: [int(1, 3), C, H, W], w: [O, C / groups, KH, KW], o }, ['wasm-relaxed', 'wasm-scalar']);
    }
  });

  it('run the larger convolutions of LeNet-5 and VGG-style layers', () => {
    check({ x: [8, 6, 14, 14], w: [16, 6, 5, 5], o: {} }, ['wasm']);
    check({ x: [2, 32, 16, 16], w: [40, 32, 3, 3], o: { padding: 1 } }, ['wasm']);
  });
});

describe('WebAssembly conv2d kernels on worker threads', () => {
  let prev = 1;
  beforeAll(async () => {
    prev = setNumThreads(3);
    await withKernels('wasm', () => initCpuKernels());
  });
  afterAll(() => {
    setNumThreads(prev);
  });

  it('give bitwise-identical results for 1, 2 and 3 threads', () => {
    const cases: Case[] = [
      { x: [6, 6, 14, 14], w: [16, 6, 5, 5], o: {} },
      { x: [2, 16, 20, 20], w: [24, 16, 3, 3], o: { padding: 1 } },
      { x: [2, 32, 40, 40], w: [48, 16, 3, 3], o: { padding: 1, stride: 2, groups: 2 } },
    ];
    for (const v of VARIANTS) {
      for (const c of cases) {
        const [x, w, dy] = inputs(c);
        setNumThreads(1);
        const one = run(v, x, w, dy, c.o);
        cpuKernelStats(true);
        setNumThreads(2);
        const two = run(v, x, w, dy, c.o);
        setNumThreads(3);
        const three = run(v, x, w, dy, c.o);
        const what = `${JSON.stringify(c)} [${v}]`;
        expect(cpuKernelStats().threadedCalls, `${what} ran on workers`).toBeGreaterThan(0);
        for (const k of ['y', 'dx', 'dw'] as const) {
          expectIdentical(two[k], one[k], `${what} ${k}, 2 threads`);
          expectIdentical(three[k], one[k], `${what} ${k}, 3 threads`);
        }
      }
    }
  });
});
