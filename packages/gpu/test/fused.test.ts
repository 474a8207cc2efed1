import { getBackend, type Tensor, tensor, type UpdateOp } from '@tessera/tensor';
import { beforeAll, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { expectMatch, gpuBackend, pair, randomData } from './helpers.js';

const t = (shape: number[], seed: number, lo = -2, hi = 2): Tensor =>
  tensor(
    randomData(
      shape.reduce((p, d) => p * d, 1),
      seed,
      lo,
      hi,
    ),
    { shape },
  );

describeIfAvailable('webgpu', 'fused kernels (thresholdBackward, update) match the CPU backend', () => {
  beforeAll(async () => {
    await gpuBackend();
  });

  it('thresholdBackward: contiguous, broadcast and transposed inputs, NaN passes the gradient', async () => {
    const xd = randomData(7 * 33, 1);
    xd[5] = Number.NaN;
    xd[6] = 0.25; // equal to the threshold below: masked
    const x = tensor(xd, { shape: [7, 33] });
    const cases: [string, Tensor, (v: Tensor) => Tensor, number][] = [
      ['contiguous', t([7, 33], 2), (v) => v, 0.25],
      ['broadcast g', t([1, 33], 3), (v) => v.expand([7, 33]), 0],
      ['transposed g', t([33, 7], 4), (v) => v.transpose(0, 1), -1],
    ];
    for (const [what, base, view, thr] of cases) {
      const { cpu: g, gpu: gg } = pair(base, view);
      const c = tensor(new Float32Array(7 * 33), { shape: [7, 33] });
      getBackend('cpu').thresholdBackward!(c.viewFor('t'), g.viewFor('t'), x.viewFor('t'), thr);
      const o = tensor(new Float32Array(7 * 33), { shape: [7, 33], device: 'webgpu' });
      getBackend('webgpu').thresholdBackward!(
        o.viewFor('t'),
        gg.viewFor('t'),
        x.to('webgpu').viewFor('t'),
        thr,
      );
      await expectMatch(o, c, `thresholdBackward ${what}`, 0, 0);
    }
  });

  it('update: axpy, addcmul, addcdiv and both sides of lerp, in place', async () => {
    const cases: [UpdateOp, number][] = [
      ['axpy', -0.01],
      ['addcmul', 0.9],
      ['addcdiv', -1e-3],
      ['lerp', 0.1],
      ['lerp', 0.75],
    ];
    for (const [i, [op, s]] of cases.entries()) {
      const out = t([5, 37], 10 + i);
      const b = t([5, 37], 20 + i);
      const c = t([5, 37], 30 + i, 0.5, 2);
      const gOut = out.to('webgpu');
      const cc = op === 'addcmul' || op === 'addcdiv' ? c : null;
      getBackend('cpu').update!(op, out.viewFor(op), b.viewFor(op), cc?.viewFor(op) ?? null, s);
      getBackend('webgpu').update!(
        op,
        gOut.viewFor(op),
        b.to('webgpu').viewFor(op),
        cc === null ? null : cc.to('webgpu').viewFor(op),
        s,
      );
      await expectMatch(gOut, out, `update ${op} ${s}`, 1e-6, 1e-7);
    }
  });
});
