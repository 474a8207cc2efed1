import { noGrad } from '@tessera/autograd';
import {
  Conv1d,
  ConvTranspose2d,
  deepCopy,
  Linear,
  removeSpectralNorm,
  removeWeightNorm,
  spectralNorm,
  weightNorm,
} from '@tessera/nn';
import { type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { REPARAM_REF as R } from './fixtures/reparam-reference.js';
import { expectClose, flat } from './helpers/grad.js';

const f64 = { dtype: 'float64' as const };
const seq = (shape: number[], f: (i: number) => number) =>
  tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i)),
    { ...f64, shape },
  );
const get = (m: object, k: string) => (m as Record<string, Tensor>)[k]!;

/** Linear(4, 3) with the reference script's weight and bias. */
function linear(): Linear {
  const lin = new Linear(4, 3, f64);
  noGrad(() => {
    lin.weight.copy_(seq([3, 4], (i) => Math.sin(0.7 * i + 0.3)));
    lin.bias!.copy_(seq([3], (i) => 0.1 * i - 0.1));
  });
  return lin;
}
const X = seq([2, 4], (i) => Math.cos(0.9 * i));
const W = seq([2, 3], (i) => i + 1);

describe('spectralNorm matches PyTorch 1.13', () => {
  it('Linear: keys, two training steps (power iteration), buffers, gradient, eval', () => {
    const lin = spectralNorm(linear());
    expect(Object.keys(lin.stateDict())).toEqual(R.snKeys);
    lin.loadStateDict({
      ...lin.stateDict(),
      weight_u: tensor([0.6, -0.48, 0.64], f64),
      weight_v: tensor([0.5, 0.5, -0.5, 0.5], f64),
    });
    const ys: number[] = [];
    for (let step = 0; step < 2; step++) {
      const y = lin.call(X);
      ys.push(...flat(y));
      y.mul(W).sum().backward();
    }
    expectClose(ys, R.snY, 1e-10, 1e-9);
    expectClose(flat(get(lin, 'weight_u')), R.snU, 1e-10, 1e-9);
    expectClose(flat(get(lin, 'weight_v')), R.snV, 1e-10, 1e-9);
    expectClose(flat(get(lin, 'weight_orig').grad!), R.snGrad, 1e-10, 1e-9);
    expectClose(flat(lin.weight), R.snW, 1e-10, 1e-9);
    lin.eval();
    expectClose(flat(lin.call(X)), R.snEval, 1e-10, 1e-9);
    expectClose(flat(get(lin, 'weight_u')), R.snU, 1e-10, 1e-9);
  });

  it('ConvTranspose2d normalises along dim 1 by default; two power iterations', () => {
    const ct = new ConvTranspose2d(2, 3, 2, f64);
    noGrad(() => ct.weight.copy_(seq([2, 3, 2, 2], (i) => Math.cos(0.45 * i))));
    spectralNorm(ct, 'weight', { nPowerIterations: 2 });
    expect(Object.keys(ct.stateDict())).toEqual(R.ctKeys);
    expect(get(ct, 'weight_u').shape).toEqual(R.ctU);
    expect(get(ct, 'weight_v').shape).toEqual(R.ctV);
    noGrad(() => {
      get(ct, 'weight_u').copy_(tensor([0.6, 0, -0.8], f64));
      get(ct, 'weight_v').copy_(seq([8], (i) => Math.sin(i + 1) / 2));
    });
    ct.call(seq([1, 2, 2, 2], (i) => 0.1 * i));
    expectClose(flat(ct.weight), R.ctW, 1e-10, 1e-9);
    expectClose(flat(get(ct, 'weight_u')), R.ctUafter, 1e-10, 1e-9);
  });

  it('removeSpectralNorm restores one parameter; errors name the problem', () => {
    const lin = spectralNorm(linear());
    lin.call(X);
    const w = flat(lin.weight);
    removeSpectralNorm(lin);
    expect(Object.keys(lin.stateDict())).toEqual(['bias', 'weight']);
    expect(lin.weight.requiresGrad).toBe(true);
    expectClose(flat(lin.weight), w, 1e-12);
    expect(() => removeSpectralNorm(lin)).toThrow(/removeSpectralNorm: spectralNorm of 'weight' not found/);
    expect(() => spectralNorm(spectralNorm(linear()))).toThrow(/already has a spectral norm/);
    expect(() => spectralNorm(linear(), 'weights')).toThrow(
      /spectralNorm: module has no parameter 'weights'/,
    );
    expect(() => spectralNorm(linear(), 'weight', { dim: 2 })).toThrow(
      /dim 2 is out of range for 'weight' of shape \[3,4\]/,
    );
  });
});

describe('weightNorm matches PyTorch 1.13', () => {
  it('Linear, dim 0: keys, g, output and gradients of g and v', () => {
    const wl = weightNorm(linear());
    expect(Object.keys(wl.stateDict())).toEqual(R.wnKeys);
    const g = get(wl, 'weight_g');
    expect(g.shape).toEqual(R.wnGshape);
    expectClose(flat(g), R.wnG, 1e-12);
    expectClose(flat(wl.weight), flat(linear().weight), 1e-12);
    noGrad(() => g.mul_(seq([3, 1], (i) => 1 + 0.5 * i)));
    const y = wl.call(X);
    y.mul(W).sum().backward();
    expectClose(flat(y), R.wnY, 1e-10, 1e-9);
    expectClose(flat(g.grad!), R.wnGg, 1e-10, 1e-9);
    expectClose(flat(get(wl, 'weight_v').grad!), R.wnGv, 1e-10, 1e-9);
    expect(wl.parameters().length).toBe(3);
  });

  it('dim null takes one norm of the whole weight; deep copies keep working; removeWeightNorm', () => {
    const c = new Conv1d(2, 2, 3, f64);
    noGrad(() => c.weight.copy_(seq([2, 2, 3], (i) => Math.cos(0.3 * i + 0.2))));
    weightNorm(c, 'weight', null);
    expect(get(c, 'weight_g').shape).toEqual(R.wnNoneGshape);
    expectClose(flat(get(c, 'weight_g')), R.wnNoneG, 1e-12);
    const copy = deepCopy(c);
    noGrad(() => get(copy, 'weight_g').mul_(2));
    const x = seq([1, 2, 5], (i) => i / 5);
    expectClose(
      flat(copy.call(x).sub(copy.bias!.reshape(2, 1))),
      flat(c.call(x).sub(c.bias!.reshape(2, 1)).mul(2)),
      1e-12,
    );
    const w = flat(c.weight);
    removeWeightNorm(c);
    expect(Object.keys(c.stateDict())).toEqual(['bias', 'weight']);
    expectClose(flat(c.weight), w, 1e-12);
    expect(() => weightNorm(new Linear(2, 2), 'weight', 2)).toThrow(/weightNorm: dim 2 is out of range/);
  });
});
