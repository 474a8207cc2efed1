import { gradcheck } from '@tessera/autograd';
import { F, PixelShuffle, PixelUnshuffle, Upsample } from '@tessera/nn';
import { arange, randn, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { INTERPOLATE_CASES, X3, X4 } from './fixtures/interpolate-reference.js';
import { expectClose, flat } from './helpers/grad.js';

const f64 = { dtype: 'float64' as const };

describe('interpolate matches PyTorch 1.13 (values and gradients)', () => {
  for (const [nd, opts, shape, out, grad] of INTERPOLATE_CASES) {
    it(`${nd}-D ${JSON.stringify(opts)}`, () => {
      const x = (
        nd === 3 ? tensor(X3, { ...f64, shape: [2, 1, 5] }) : tensor(X4, { ...f64, shape: [1, 1, 3, 4] })
      ).requiresGrad_();
      const y = F.interpolate(x, opts);
      expect(y.shape).toEqual(shape);
      expectClose(flat(y), out, 1e-9, 1e-8);
      y.mul(
        arange(1, y.numel() + 1, 1, f64)
          .reshape(y.shape)
          .cos(),
      )
        .sum()
        .backward();
      expectClose(flat(x.grad!), grad, 1e-9, 1e-8);
    });
  }

  it('Upsample is interpolate as a module; float32 nearest keeps the dtype', () => {
    const x = randn([2, 3, 4, 5]);
    const m = new Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: true });
    expectClose(
      flat(m.call(x) as Tensor),
      flat(F.interpolate(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: true })),
    );
    const y = new Upsample({ size: [8, 10] }).call(x) as Tensor;
    expect(y.shape).toEqual([2, 3, 8, 10]);
    expect(y.dtype).toBe('float32');
    expect(Object.keys(m.stateDict())).toEqual([]);
  });

  it('bilinear passes gradcheck (float64)', () => {
    const x = randn([1, 2, 3, 3], f64).requiresGrad_();
    expect(gradcheck((t) => F.interpolate(t, { size: [4, 5], mode: 'bilinear' }), [x])).toBe(true);
  });

  it('rejects bad options with messages naming them', () => {
    const x = randn([1, 1, 4]);
    expect(() => F.interpolate(x, {})).toThrow(/interpolate: give exactly one of size and scaleFactor/);
    expect(() => F.interpolate(x, { size: 2, scaleFactor: 2 })).toThrow(/exactly one/);
    expect(() => F.interpolate(x, { size: 2, mode: 'bilinear' })).toThrow(
      /mode 'bilinear' needs a 4-D input, got shape \[1,1,4\]/,
    );
    expect(() => F.interpolate(x, { size: 2, alignCorners: true })).toThrow(/alignCorners only applies/);
    expect(() => F.interpolate(x, { size: [2, 2] })).toThrow(/size must have 1 entries/);
    expect(() => F.interpolate(x, { scaleFactor: 0.1 })).toThrow(/gives an empty output/);
    expect(() => F.interpolate(randn([4]), { size: 2 })).toThrow(/input must be 3-D \[N, C, L\] or 4-D/);
    expect(() => F.interpolate(x, { size: 2, mode: 'cubic' as never })).toThrow(/mode must be/);
    expect(() => new Upsample({})).toThrow(/Upsample: give exactly one/);
    expect(() => new Upsample({ size: 2, mode: 'bicubic' as never })).toThrow(/Upsample: mode must be/);
    expect(() => new Upsample({ size: 2, align_corners: true } as never)).toThrow(/align_corners/);
  });
});

describe('PixelShuffle and PixelUnshuffle', () => {
  it('out[c, h r + i, w r + j] = in[c r² + i r + j, h, w], with batch dims', () => {
    const r = 2;
    const x = arange(0, 2 * 8 * 2 * 3).reshape(2, 8, 2, 3);
    const y = new PixelShuffle(r).call(x) as Tensor;
    expect(y.shape).toEqual([2, 2, 4, 6]);
    const xs = x.tolist() as number[][][][];
    const ys = y.tolist() as number[][][][];
    for (let n = 0; n < 2; n++)
      for (let c = 0; c < 2; c++)
        for (let h = 0; h < 2; h++)
          for (let w = 0; w < 3; w++)
            for (let i = 0; i < r; i++)
              for (let j = 0; j < r; j++)
                expect(ys[n]![c]![h * r + i]![w * r + j]).toBe(xs[n]![c * r * r + i * r + j]![h]![w]);
    const back = new PixelUnshuffle(r).call(y) as Tensor;
    expect(back.shape).toEqual([2, 8, 2, 3]);
    expect(flat(back)).toEqual(flat(x));
    expect((new PixelShuffle(3).call(randn([9, 2, 2])) as Tensor).shape).toEqual([1, 6, 6]);
  });

  it('pass gradcheck and reject sizes that do not divide', () => {
    expect(gradcheck((t) => F.pixelShuffle(t, 2), [randn([1, 4, 2, 2], f64).requiresGrad_()])).toBe(true);
    expect(gradcheck((t) => F.pixelUnshuffle(t, 2), [randn([1, 1, 4, 2], f64).requiresGrad_()])).toBe(true);
    expect(() => F.pixelShuffle(randn([1, 3, 2, 2]), 2)).toThrow(
      /pixelShuffle: channels 3 of input \[1,3,2,2\] must be divisible by upscaleFactor² = 4/,
    );
    expect(() => F.pixelUnshuffle(randn([1, 1, 3, 4]), 2)).toThrow(/pixelUnshuffle: height 3 and width 4/);
    expect(() => new PixelShuffle(0)).toThrow(/PixelShuffle: upscaleFactor must be a positive integer/);
    expect(() => F.pixelShuffle(randn([4, 4]), 2)).toThrow(/at least 3 dims/);
  });
});
