import { autogradGrad, gradcheck, gradgradcheck, gradRule, isKnownOp } from '@tessera/autograd';
import { callOp, getOpDecl, registerOp, type Tensor, tensor } from '@tessera/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { SOFTCLIP, softclip } from '../src/index.js';

// float64 reference, written independently of the kernel: lo + log(1+e^(x-lo)) - log(1+e^(x-hi)).
const ref = (x: number, lo = -1, hi = 1): number =>
  lo + Math.log(1 + Math.exp(x - lo)) - Math.log(1 + Math.exp(x - hi));
const dref = (x: number, lo = -1, hi = 1): number => 1 / (1 + Math.exp(lo - x)) - 1 / (1 + Math.exp(hi - x));

const XS = [-40, -3, -1, -0.25, 0, 0.5, 1, 2.75, 40];

describe('softclip (an extension op)', () => {
  it('is declared once, with its defaults, and known to autograd', () => {
    expect(getOpDecl('softclip')).toBe(SOFTCLIP);
    expect(SOFTCLIP).toMatchObject({
      kind: 'unary',
      dtype: 'float',
      attrs: { lo: -1, hi: 1 },
      extension: true,
    });
    expect(gradRule('softclip')).toBeDefined();
    expect(isKnownOp('softclip')).toBe(true);
  });

  it('computes lo + softplus(x - lo) - softplus(x - hi), defaults from the declaration', () => {
    const x = tensor(XS, { dtype: 'float64' });
    const y = softclip(x).dataSync();
    for (const [i, v] of XS.entries()) expect(y[i]).toBeCloseTo(ref(v), 12);
    const y2 = x.softclip(-2, 0.5).dataSync();
    for (const [i, v] of XS.entries()) expect(y2[i]).toBeCloseTo(ref(v, -2, 0.5), 12);
    // A smooth clamp: far outside [lo, hi] it is lo or hi.
    expect(y[0]).toBeCloseTo(-1, 12);
    expect(y[8]).toBeCloseTo(1, 12);
  });

  it('promotes integers to float32 and reads strided and broadcast inputs', () => {
    const yi = softclip(tensor([-2, 0, 2], { dtype: 'int32' }));
    expect(yi.dtype).toBe('float32');
    expect(yi.dataSync()[1]).toBeCloseTo(ref(0), 6);
    const base = tensor(
      [
        [-2, -1, 0],
        [1, 2, 3],
      ],
      { dtype: 'float64' },
    );
    const t = base.T;
    expect(softclip(t).arraySync()).toEqual(
      (t.arraySync() as number[][]).map((r) =>
        r.map((v) => softclip(tensor([v], { dtype: 'float64' })).item()),
      ),
    );
    expect(softclip(tensor([0.5], { dtype: 'float64' }).expand(2, 2)).arraySync()).toEqual([
      [ref(0.5), ref(0.5)],
      [ref(0.5), ref(0.5)],
    ]);
  });

  it('gradcheck and gradgradcheck (float64), and the gradient formula', () => {
    const x = tensor([-2.5, -0.9, -0.1, 0.3, 1.2, 3], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((t: Tensor) => softclip(t, -1.5, 0.75), [x])).toBe(true);
    expect(gradgradcheck((t: Tensor) => softclip(t, -1.5, 0.75), [x])).toBe(true);
    const [g] = autogradGrad(softclip(x).sum(), [x]);
    const gv = g!.dataSync();
    for (const [i, v] of [-2.5, -0.9, -0.1, 0.3, 1.2, 3].entries()) expect(gv[i]).toBeCloseTo(dref(v), 12);
  });

  it('reports bad input: a non-tensor, lo >= hi, an unknown attribute, a name taken twice', () => {
    expect(() => softclip([1] as never)).toThrow(/softclip: input must be a tensor/);
    expect(() => softclip(tensor([1]), 2, 1)).toThrow(
      /softclip: lo must be less than hi, got lo = 2, hi = 1/,
    );
    expect(() => callOp(SOFTCLIP, [tensor([1])], { mid: 0 } as never)).toThrow(
      /softclip: unknown attribute 'mid' \(attributes: lo, hi\)/,
    );
    expect(() => callOp(SOFTCLIP, [tensor([1]), tensor([2])])).toThrow(
      /softclip: expected 1 input\(s\), got 2/,
    );
    expect(() => registerOp({ name: 'softclip', kind: 'unary', doc: 'again' }, { cpu: (x) => x })).toThrow(
      /already declared/,
    );
    expect(() =>
      registerOp({ name: 'leakyRelu', kind: 'unary', doc: 'a built-in' }, { cpu: (x) => x }),
    ).toThrow(/already declared/);
  });
});

describeIfAvailable('webgpu', 'softclip on WebGPU matches the CPU', () => {
  beforeAll(async () => {
    const { initWebGPU } = await import('@tessera/gpu');
    const { listBackends } = await import('@tessera/tensor');
    if (!listBackends().includes('webgpu')) await initWebGPU();
  });

  it('forward (strided, broadcast, int input) and gradient', async () => {
    const vals = Array.from({ length: 257 }, (_, i) => (i - 128) / 16);
    const cpu = tensor(vals).reshape(1, 257);
    const gpu = cpu.to('webgpu');
    const close = async (a: Tensor, b: Tensor) => {
      const [x, y] = [await a.data(), await b.data()];
      expect(x.length).toBe(y.length);
      for (let i = 0; i < x.length; i++)
        expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(2e-6 + 2e-6 * Math.abs(y[i]!));
    };
    await close(softclip(gpu, -2, 3), softclip(cpu, -2, 3));
    await close(softclip(gpu.expand(3, 257).T), softclip(cpu.expand(3, 257).T));
    const ints = tensor([-3, 0, 2, 7], { dtype: 'int32' });
    await close(softclip(ints.to('webgpu')), softclip(ints));
    const xg = gpu.detach();
    xg.requiresGrad = true;
    const xc = cpu.detach();
    xc.requiresGrad = true;
    const [gg] = autogradGrad(softclip(xg).sum(), [xg]);
    const [gc] = autogradGrad(softclip(xc).sum(), [xc]);
    await close(gg!, gc!);
  });
});
