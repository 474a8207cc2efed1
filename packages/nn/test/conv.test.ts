import { noGrad } from '@tessera/autograd';
import {
  AdaptiveAvgPool2d,
  AvgPool1d,
  AvgPool2d,
  Conv1d,
  Conv2d,
  ConvTranspose2d,
  F,
  Flatten,
  MaxPool1d,
  MaxPool2d,
  Unflatten,
} from '@tessera/nn';
import { manualSeed, randn, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { expectClose, flat, gradcheckModule } from './helpers/grad.js';

/** Direct float64 convolution (cross-correlation) with zero padding, for reference. */
function naiveConv2d(
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  o: { stride?: [number, number]; padding?: [number, number]; dilation?: [number, number]; groups?: number },
): { data: number[]; shape: number[] } {
  const [N, C, H, W] = x.shape as number[] as [number, number, number, number];
  const [O, Cg, KH, KW] = w.shape as number[] as [number, number, number, number];
  const [sh, sw] = o.stride ?? [1, 1];
  const [ph, pw] = o.padding ?? [0, 0];
  const [dh, dw] = o.dilation ?? [1, 1];
  const G = o.groups ?? 1;
  const OH = Math.floor((H + 2 * ph - dh * (KH - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + 2 * pw - dw * (KW - 1) - 1) / sw) + 1;
  const xv = flat(x);
  const wv = flat(w);
  const bv = b === null ? null : flat(b);
  const out: number[] = [];
  const Og = O / G;
  for (let n = 0; n < N; n++)
    for (let oc = 0; oc < O; oc++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++) {
          let s = bv === null ? 0 : bv[oc]!;
          const g = Math.floor(oc / Og);
          for (let c = 0; c < Cg; c++)
            for (let a = 0; a < KH; a++)
              for (let bb = 0; bb < KW; bb++) {
                const y = i * sh - ph + a * dh;
                const z = j * sw - pw + bb * dw;
                if (y < 0 || y >= H || z < 0 || z >= W) continue;
                s += xv[((n * C + g * Cg + c) * H + y) * W + z]! * wv[((oc * Cg + c) * KH + a) * KW + bb]!;
              }
          out.push(s);
        }
  return { data: out, shape: [N, O, OH, OW] };
}

const X_IMAGE = [
  [0, 0, 0, 0, 0, 0, 0],
  [0, 1, 0, 0, 0, 1, 0],
  [0, 0, 1, 0, 1, 0, 0],
  [0, 0, 0, 1, 0, 0, 0],
  [0, 0, 1, 0, 1, 0, 0],
  [0, 1, 0, 0, 0, 1, 0],
  [0, 0, 0, 0, 0, 0, 0],
];
const X_KERNEL = [
  [1, 0, 1],
  [0, 1, 0],
  [1, 0, 1],
];

describe('Conv2d', () => {
  it('convolves a 7x7 binary image with a 3x3 kernel (checked by hand)', () => {
    const conv = new Conv2d(1, 1, 3, { bias: false });
    noGrad(() => conv.weight.copy_(tensor([[X_KERNEL]])));
    const y = conv.call(tensor([[X_IMAGE]], { dtype: 'float32' }));
    expect(y.shape).toEqual([1, 1, 5, 5]);
    // Each output counts the image's ones under the kernel's X: the centre sees the whole X (5).
    expect(y.arraySync()).toEqual([
      [
        [
          [2, 0, 2, 0, 2],
          [0, 3, 0, 3, 0],
          [2, 0, 5, 0, 2],
          [0, 3, 0, 3, 0],
          [2, 0, 2, 0, 2],
        ],
      ],
    ]);
    // Stride 2 with one ring of zero padding: a 4x4 output.
    const s2 = new Conv2d(1, 1, 3, { stride: 2, padding: 1, bias: false });
    noGrad(() => s2.weight.copy_(tensor([[X_KERNEL]])));
    expect(s2.call(tensor([[X_IMAGE]], { dtype: 'float32' })).arraySync()).toEqual([
      [
        [
          [1, 1, 1, 1],
          [1, 3, 3, 1],
          [1, 3, 3, 1],
          [1, 1, 1, 1],
        ],
      ],
    ]);
  });

  it.each([
    ['plain', {}],
    ['stride 2, padding 1', { stride: [2, 2], padding: [1, 1] }],
    ['dilation 2', { dilation: [2, 2], padding: [2, 1] }],
    ['groups 2', { groups: 2, stride: [1, 2] }],
  ] as const)('matches a direct float64 convolution: %s', (_name, o) => {
    manualSeed(3);
    const groups = (o as { groups?: number }).groups ?? 1;
    const conv = new Conv2d(4, 6, [3, 2], { ...(o as object), dtype: 'float64' } as never);
    const x = randn([2, 4, 7, 6], { dtype: 'float64' });
    const y = conv.call(x);
    const ref = naiveConv2d(x, conv.weight, conv.bias, { ...(o as object), groups } as never);
    expect(y.shape).toEqual(ref.shape);
    expectClose(flat(y), ref.data, 1e-12, 1e-12);
  });

  it("padding 'same' keeps the size, including even kernels (extra on the bottom/right)", () => {
    const conv = new Conv2d(2, 3, [4, 3], { padding: 'same', dtype: 'float64' });
    const x = randn([1, 2, 5, 6], { dtype: 'float64' });
    const y = conv.call(x);
    expect(y.shape).toEqual([1, 3, 5, 6]);
    // Same as explicit padding (top 1, bottom 2, left 1, right 1) then a valid convolution.
    const ref = F.conv2d(F.pad(x, [1, 1, 1, 2]), conv.weight, conv.bias);
    expectClose(flat(y), flat(ref), 1e-12);
    expect(() => new Conv2d(1, 1, 3, { padding: 'same', stride: 2 })).toThrow(
      /padding='same' is not supported for strided/,
    );
  });

  it('paddingMode reflect/circular pads before a valid convolution', () => {
    const conv = new Conv2d(1, 1, 3, { padding: 1, paddingMode: 'reflect', dtype: 'float64' });
    const x = randn([1, 1, 4, 4], { dtype: 'float64' });
    expectClose(
      flat(conv.call(x)),
      flat(F.conv2d(F.pad(x, [1, 1, 1, 1], 'reflect'), conv.weight, conv.bias)),
      1e-12,
    );
    const circ = new Conv2d(1, 1, 3, { padding: 1, paddingMode: 'circular', dtype: 'float64' });
    expectClose(
      flat(circ.call(x)),
      flat(F.conv2d(F.pad(x, [1, 1, 1, 1], 'circular'), circ.weight, circ.bias)),
      1e-12,
    );
  });

  it('accepts unbatched input and reports channel mismatches with both shapes', () => {
    const conv = new Conv2d(3, 2, 3);
    expect(conv.call(randn([3, 5, 5])).shape).toEqual([2, 3, 3]);
    expect(() => conv.call(randn([1, 4, 5, 5]))).toThrow(/\[1,4,5,5\].*\[2,3,3,3\]/);
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(/inChannels 3 must be divisible by groups 2/);
  });

  it('passes gradcheck (input, weight and bias; stride, padding, groups)', () => {
    manualSeed(4);
    const conv = new Conv2d(2, 2, 2, { stride: 2, padding: 1, groups: 2, dtype: 'float64' });
    const x = randn([1, 2, 3, 3], { dtype: 'float64' }).requiresGrad_();
    expect(gradcheckModule(conv, [x])).toBe(true);
  });
});

describe('Conv1d and ConvTranspose2d', () => {
  it('Conv1d equals Conv2d on a height-1 image and passes gradcheck', () => {
    manualSeed(5);
    const c = new Conv1d(2, 3, 3, { stride: 2, padding: 1, dilation: 1, dtype: 'float64' });
    const x = randn([2, 2, 7], { dtype: 'float64' });
    const y = c.call(x);
    expect(y.shape).toEqual([2, 3, 4]);
    const ref = naiveConv2d(x.unsqueeze(2), c.weight.unsqueeze(2), c.bias, {
      stride: [1, 2],
      padding: [0, 1],
    });
    expectClose(flat(y), ref.data, 1e-12);
    expect(c.call(randn([2, 7], { dtype: 'float64' })).shape).toEqual([3, 4]);
    expect(gradcheckModule(c, [randn([1, 2, 5], { dtype: 'float64' }).requiresGrad_()])).toBe(true);
  });

  it('ConvTranspose2d is the adjoint of Conv2d: <conv(x), y> = <x, convT(y)>', () => {
    manualSeed(6);
    const ct = new ConvTranspose2d(3, 2, 3, {
      stride: 2,
      padding: 1,
      outputPadding: 1,
      bias: false,
      dtype: 'float64',
    });
    const y = randn([1, 3, 4, 4], { dtype: 'float64' });
    const out = ct.call(y);
    // (4-1)*2 - 2*1 + (3-1) + 1 + 1 = 8
    expect(out.shape).toEqual([1, 2, 8, 8]);
    const x = randn([1, 2, 8, 8], { dtype: 'float64' });
    const conv = F.conv2d(x, ct.weight, null, { stride: 2, padding: 1 }); // weight [3, 2, 3, 3] as conv [out=3, in=2]
    expect(conv.shape).toEqual([1, 3, 4, 4]);
    expect(conv.mul(y).sum().item()).toBeCloseTo(x.mul(out).sum().item() as number, 10);
    expect(ct.call(y, [8, 8]).shape).toEqual([1, 2, 8, 8]);
    expect(ct.call(y, [7, 7]).shape).toEqual([1, 2, 7, 7]);
    expect(() => ct.call(y, [10, 10])).toThrow(/not reachable/);
  });

  it('ConvTranspose2d passes gradcheck', () => {
    manualSeed(7);
    const ct = new ConvTranspose2d(2, 2, 2, { stride: 2, dtype: 'float64' });
    expect(gradcheckModule(ct, [randn([1, 2, 2, 2], { dtype: 'float64' }).requiresGrad_()])).toBe(true);
  });
});

describe('pooling and reshaping', () => {
  const img = tensor(
    [
      [
        [
          [1, 2, 3, 4],
          [5, 6, 7, 8],
          [9, 10, 11, 12],
          [13, 14, 15, 16],
        ],
      ],
    ],
    { dtype: 'float32' },
  );

  it('MaxPool2d / AvgPool2d / AdaptiveAvgPool2d on a 4x4 ramp', () => {
    expect(new MaxPool2d(2).call(img).arraySync()).toEqual([
      [
        [
          [6, 8],
          [14, 16],
        ],
      ],
    ]);
    expect(new AvgPool2d(2).call(img).arraySync()).toEqual([
      [
        [
          [3.5, 5.5],
          [11.5, 13.5],
        ],
      ],
    ]);
    expect(new MaxPool2d(3, { stride: 1 }).call(img).arraySync()).toEqual([
      [
        [
          [11, 12],
          [15, 16],
        ],
      ],
    ]);
    expect(new AdaptiveAvgPool2d(1).call(img).arraySync()).toEqual([[[[8.5]]]]);
    expect(new AdaptiveAvgPool2d([2, null]).call(img).shape).toEqual([1, 1, 2, 4]);
    // 3 rows into 2 cells: windows rows 0-1 and 1-2 (PyTorch's floor/ceil rule).
    const a = new AdaptiveAvgPool2d([2, 1]).call(img.narrow(2, 0, 3));
    expect(flat(a)).toEqual([(1 + 2 + 3 + 4 + 5 + 6 + 7 + 8) / 8, (5 + 6 + 7 + 8 + 9 + 10 + 11 + 12) / 8]);
    const r = new MaxPool2d(2, { returnIndices: true }).call(img) as { values: Tensor; indices: Tensor };
    expect(r.indices.arraySync()).toEqual([
      [
        [
          [5, 7],
          [13, 15],
        ],
      ],
    ]);
  });

  it('MaxPool1d and AvgPool1d pool along the last dim', () => {
    const x = tensor([[[1, 3, 2, 5, 4, 0]]], { dtype: 'float32' });
    expect(new MaxPool1d(2).call(x).arraySync()).toEqual([[[3, 5, 4]]]);
    expect(new MaxPool1d(3, { stride: 1 }).call(x).arraySync()).toEqual([[[3, 5, 5, 5]]]);
    expect(new MaxPool1d(2, { returnIndices: true }).call(x).indices.arraySync()).toEqual([[[1, 3, 4]]]);
    expect(new AvgPool1d(2).call(x).arraySync()).toEqual([[[2, 3.5, 2]]]);
    expect(new MaxPool1d(2).call(tensor([[1, 3, 2, 5]], { dtype: 'float32' })).arraySync()).toEqual([[3, 5]]);
  });

  it('pooling passes gradcheck', () => {
    manualSeed(8);
    const x = randn([1, 2, 4, 5], { dtype: 'float64' }).requiresGrad_();
    expect(gradcheckModule(new MaxPool2d(2, { stride: 1 }), [x])).toBe(true);
    expect(gradcheckModule(new AvgPool2d(2, { padding: 1 }), [x])).toBe(true);
    expect(gradcheckModule(new AdaptiveAvgPool2d([3, 2]), [x])).toBe(true);
    expect(gradcheckModule(new MaxPool1d(2), [randn([1, 2, 6], { dtype: 'float64' }).requiresGrad_()])).toBe(
      true,
    );
  });

  it('Flatten and Unflatten', () => {
    const x = randn([2, 3, 4, 5]);
    expect(new Flatten().call(x).shape).toEqual([2, 60]);
    expect(new Flatten(0, 1).call(x).shape).toEqual([6, 4, 5]);
    expect(new Unflatten(1, [3, 20]).call(new Flatten().call(x)).shape).toEqual([2, 3, 20]);
  });
});
