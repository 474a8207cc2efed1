import { noGrad } from '@tessera/autograd';
import { ConvTranspose1d, ConvTranspose2d, F } from '@tessera/nn';
import { arange, randn, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { CT1 } from './fixtures/conv-transpose1d-reference.js';
import { expectClose, flat, gradcheckModule } from './helpers/grad.js';

const f64 = { dtype: 'float64' as const };

describe('ConvTranspose1d', () => {
  it('matches PyTorch 1.13 (stride, padding, outputPadding, groups): output and gradients', () => {
    const m = new ConvTranspose1d(4, 6, 3, {
      stride: 2,
      padding: 1,
      outputPadding: 1,
      groups: 2,
      dtype: 'float64',
    });
    expect(m.weight.shape).toEqual([4, 3, 3]);
    expect(Object.keys(m.stateDict())).toEqual(['weight', 'bias']);
    noGrad(() => {
      m.weight.copy_(arange(1, 37, 1, f64).mul(0.37).sin().reshape(4, 3, 3));
      m.bias!.copy_(tensor([0.1, -0.2, 0.3, -0.4, 0.5, -0.6], f64));
    });
    const x = arange(1, 41, 1, f64).mul(0.53).cos().reshape(2, 4, 5).requiresGrad_();
    const y = m.call(x) as Tensor;
    expect(y.shape).toEqual([2, 6, 10]);
    y.mul(
      arange(1, y.numel() + 1, 1, f64)
        .reshape(y.shape)
        .sin(),
    )
      .sum()
      .backward();
    expectClose(flat(y), CT1.y, 1e-9, 1e-8);
    expectClose(flat(x.grad!), CT1.gx, 1e-9, 1e-8);
    expectClose(flat(m.weight.grad!), CT1.gw, 1e-9, 1e-8);
    expectClose(flat(m.bias!.grad!), CT1.gb, 1e-9, 1e-8);
  });

  it('equals ConvTranspose2d on a height-1 image, takes unbatched input, passes gradcheck', () => {
    const m = new ConvTranspose1d(2, 3, 2, { stride: 3, dilation: 2, dtype: 'float64' });
    const m2 = new ConvTranspose2d(2, 3, [1, 2], { stride: [1, 3], dilation: [1, 2], dtype: 'float64' });
    m2.loadStateDict({ weight: m.weight.unsqueeze(2), bias: m.bias! });
    const x = randn([2, 2, 4], f64);
    expectClose(flat(m.call(x) as Tensor), flat(m2.call(x.unsqueeze(2)) as Tensor), 1e-12);
    expect((m.call(randn([2, 4], f64)) as Tensor).shape).toEqual([3, 12]);
    expect(gradcheckModule(m, [randn([1, 2, 3], f64).requiresGrad_()])).toBe(true);
    expect(new ConvTranspose1d(2, 2, 3, { bias: false }).bias).toBeNull();
  });

  it('rejects bad shapes and options naming them', () => {
    expect(() => new ConvTranspose1d(3, 4, 2, { groups: 2 })).toThrow(
      /ConvTranspose1d: inChannels 3 and outChannels 4/,
    );
    expect(() => new ConvTranspose1d(2, 2, 2, { outputPadding: 1 })).toThrow(
      /outputPadding 1 must be smaller/,
    );
    expect(() => new ConvTranspose1d(2, 2, 2, { stride: [2] as never })).toThrow(/stride/);
    expect(() => new ConvTranspose1d(2, 2, 2).call(randn([1, 2, 2, 2]))).toThrow(
      /convTranspose1d: input must be 3-D \[N, Cin, L\] or 2-D \[Cin, L\], got shape \[1,2,2,2\]/,
    );
    expect(() => F.convTranspose1d(randn([1, 2, 3]), randn([2, 2]))).toThrow(/weight must be 3-D/);
    expect(() => new ConvTranspose1d(2, 2, 2).call(randn([1, 3, 3]))).toThrow(/convTranspose2d/);
  });
});
