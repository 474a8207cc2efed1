import {
  type Conv2dParams,
  conv2d,
  convGeometry,
  convOutputSize,
  isPointwiseConv,
  maxPool2d,
  type Pool2dParams,
  poolGeometry,
  zeros,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// The backend kit's conv and pool geometry: output sizes against PyTorch 1.13 (F.conv2d on
// x [2, 6, 11, 9], groups 2) and against this package's own conv2d, fields against the shapes.

const params = (
  stride: [number, number],
  padding: [number, number],
  dilation: [number, number],
  groups = 1,
): Conv2dParams => ({
  stride,
  padding: [padding[0], padding[0], padding[1], padding[1]],
  dilation,
  groups,
});

describe('convOutputSize', () => {
  // [kernel, stride, padding, dilation] -> torch's [OH, OW] for an 11x9 input.
  const torchCases: [
    [number, number],
    [number, number],
    [number, number],
    [number, number],
    [number, number],
  ][] = [
    [
      [3, 2],
      [2, 1],
      [1, 0],
      [1, 2],
      [6, 7],
    ],
    [
      [1, 1],
      [1, 1],
      [0, 0],
      [1, 1],
      [11, 9],
    ],
    [
      [4, 3],
      [3, 2],
      [2, 1],
      [2, 1],
      [3, 5],
    ],
  ];
  it.each(torchCases)('kernel %j stride %j padding %j dilation %j matches PyTorch', (k, s, p, d, want) => {
    expect(convOutputSize([2, 6, 11, 9], k, params(s, p, d, 2))).toEqual(want);
  });

  it('agrees with conv2d over a grid of windows (asymmetric padding included)', () => {
    for (const k of [1, 2, 3]) {
      for (const s of [1, 2, 3]) {
        for (const d of [1, 2]) {
          const p: Conv2dParams = { stride: [s, 1], padding: [1, 0, 0, 2], dilation: [d, 1], groups: 1 };
          const y = conv2d(zeros([1, 1, 7, 6]), zeros([1, 1, k, 2]), null, p);
          expect(convOutputSize([7, 6], [k, 2], p), `k ${k} s ${s} d ${d}`).toEqual([y.shape[2], y.shape[3]]);
        }
      }
    }
  });
});

describe('convGeometry', () => {
  it('derives every field of a grouped, strided, dilated convolution', () => {
    const p = params([2, 1], [1, 0], [1, 2], 2);
    const g = convGeometry([2, 6, 11, 9], [4, 3, 3, 2], [2, 4, 6, 7], p);
    expect(g).toEqual({
      N: 2,
      C: 6,
      H: 11,
      W: 9,
      O: 4,
      KH: 3,
      KW: 2,
      OH: 6,
      OW: 7,
      sh: 2,
      sw: 1,
      pt: 1,
      pl: 0,
      dh: 1,
      dw: 2,
      G: 2,
      Cg: 3,
      Og: 2,
      Ck: 18,
      L: 42,
    });
  });

  it('takes the top and left padding of an asymmetric [top, bottom, left, right] padding', () => {
    const p: Conv2dParams = { stride: [1, 1], padding: [3, 0, 1, 4], dilation: [1, 1], groups: 1 };
    const g = convGeometry([1, 1, 5, 5], [1, 1, 2, 2], [1, 1, 7, 9], p);
    expect([g.pt, g.pl]).toEqual([3, 1]);
  });
});

describe('isPointwiseConv', () => {
  const at = (k: number, s: number, pad: number) => {
    const p = params([s, s], [pad, pad], [1, 1]);
    const [oh, ow] = convOutputSize([8, 8], [k, k], p);
    return isPointwiseConv(convGeometry([1, 4, 8, 8], [3, 4, k, k], [1, 3, oh, ow], p));
  };

  it('is true only for a 1x1 window with stride 1 and no padding', () => {
    expect(at(1, 1, 0)).toBe(true);
    expect(at(3, 1, 1)).toBe(false);
    expect(at(1, 2, 0)).toBe(false);
    expect(at(1, 1, 1)).toBe(false);
  });
});

describe('poolGeometry', () => {
  const pool = (
    kernel: [number, number],
    stride: [number, number],
    padding: [number, number],
    dilation: [number, number],
    ceilMode: boolean,
  ): Pool2dParams => ({ kernel, stride, padding, dilation, ceilMode, countIncludePad: true });

  it('reads a 3-D [C, H, W] operand as one image, with the output PyTorch gives', () => {
    const p = pool([2, 3], [2, 1], [1, 0], [2, 1], false);
    const { stride, padding, dilation, ceilMode } = p;
    const y = maxPool2d(zeros([6, 11, 9]), p.kernel, { stride, padding, dilation, ceilMode });
    // torch: F.max_pool2d(zeros(6, 11, 9), (2, 3), (2, 1), (1, 0), (2, 1)) has shape (6, 6, 7)
    expect(y.shape).toEqual([6, 6, 7]);
    expect(poolGeometry([6, 11, 9], y.shape, p)).toEqual({
      N: 1,
      C: 6,
      H: 11,
      W: 9,
      OH: 6,
      OW: 7,
      KH: 2,
      KW: 3,
      sh: 2,
      sw: 1,
      ph: 1,
      pw: 0,
      dh: 2,
      dw: 1,
    });
  });

  it('reads N from a 4-D operand and the output size from the last two dims', () => {
    const p = pool([3, 3], [2, 2], [1, 1], [1, 1], true);
    const g = poolGeometry([5, 6, 11, 9], [5, 6, 6, 5], p);
    expect([g.N, g.C, g.H, g.W, g.OH, g.OW]).toEqual([5, 6, 11, 9, 6, 5]);
  });
});
