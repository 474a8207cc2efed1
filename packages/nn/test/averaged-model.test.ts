import { noGrad } from '@tessera/autograd';
import {
  AveragedModel,
  BatchNorm1d,
  getEmaAvgFn,
  getEmaMultiAvgFn,
  getSwaAvgFn,
  getSwaMultiAvgFn,
  Linear,
  Sequential,
} from '@tessera/nn';
import { type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { SWA_REF } from './fixtures/averaged-model-reference.js';
import { expectClose, flat } from './helpers/grad.js';

const f64 = { dtype: 'float64' as const };
const make = () => new Sequential(new Linear(3, 2, f64), new BatchNorm1d(2, f64));

/** Sets the model as the reference script does before update `step`. */
function setStep(m: Sequential, step: number): void {
  const sd = m.stateDict();
  noGrad(() => {
    Object.keys(sd).forEach((k, ki) => {
      const t = sd[k]!;
      if (t.dtype !== 'float64') return;
      t.copy_(
        tensor(
          Array.from({ length: t.numel() }, (_, i) => Math.sin(1.3 * i + 0.9 * ki + 2.1 * step)),
          { ...f64, shape: t.shape },
        ),
      );
    });
  });
}

/** Runs three updates of each average over the same model trajectory. */
function run(...avgs: AveragedModel[]): Sequential {
  const m = make();
  for (const a of avgs) noGrad(() => a.module.loadStateDict(m.stateDict()));
  for (let s = 0; s < 3; s++) {
    setStep(m, s);
    for (const a of avgs) a.updateParameters(m);
  }
  return m;
}

describe('AveragedModel matches PyTorch', () => {
  it('SWA (default) and EMA (avgFn, useBuffers): state-dict keys and averages after 3 updates', () => {
    const m0 = make();
    const swa = new AveragedModel(m0);
    const ema = new AveragedModel(m0, { avgFn: (a, c) => a.mul(0.9).add(c.mul(0.1)), useBuffers: true });
    expect(Object.keys(swa.stateDict())).toEqual(SWA_REF.keys);
    const m = run(swa, ema);
    expect(swa.numAveraged).toBe(3);
    expect(flat(swa.n_averaged)).toEqual([SWA_REF.n]);
    const sd = swa.stateDict();
    for (const k of ['module.0.weight', 'module.0.bias', 'module.1.weight', 'module.1.bias'] as const)
      expectClose(flat(sd[k]!), SWA_REF.swa[k], 1e-11, 1e-9);
    // Without useBuffers the buffers follow the model (PyTorch 2; 1.13 left them untouched).
    expect(flat(sd['module.1.running_mean']!)).toEqual(flat(m.stateDict()['1.running_mean']!));
    const se = ema.stateDict();
    for (const [k, v] of Object.entries(SWA_REF.ema)) expectClose(flat(se[k]!), v, 1e-11, 1e-9);
  });

  it('the multi-tensor and per-tensor helpers agree with each other and with the reference', () => {
    const m0 = make();
    const a = new AveragedModel(m0, { avgFn: getEmaAvgFn(0.9), useBuffers: true });
    const b = new AveragedModel(m0, { multiAvgFn: getEmaMultiAvgFn(0.9), useBuffers: true });
    const c = new AveragedModel(m0, { avgFn: getSwaAvgFn() });
    const d = new AveragedModel(m0, { multiAvgFn: getSwaMultiAvgFn() });
    run(a, b, c, d);
    for (const [k, v] of Object.entries(SWA_REF.ema)) {
      expectClose(flat(a.stateDict()[k]!), v, 1e-11, 1e-9);
      expectClose(flat(b.stateDict()[k]!), v, 1e-11, 1e-9);
    }
    expectClose(flat(c.stateDict()['module.0.weight']!), SWA_REF.swa['module.0.weight'], 1e-11, 1e-9);
    expectClose(flat(d.stateDict()['module.0.weight']!), SWA_REF.swa['module.0.weight'], 1e-11, 1e-9);
  });

  it('forward runs the averaged copy; the copy is independent of the model; state dicts round-trip', () => {
    const model = new Linear(2, 1, f64);
    const avg = new AveragedModel(model);
    noGrad(() => model.weight.fill_(1));
    avg.updateParameters(model);
    noGrad(() => model.weight.fill_(3));
    avg.updateParameters(model);
    expect(flat(avg.module.weight)).toEqual([2, 2]);
    const x = tensor([[1, 1]], f64);
    expectClose(flat(avg.call(x) as Tensor), [4 + flat(model.bias!)[0]!], 1e-12);
    const other = new AveragedModel(new Linear(2, 1, f64));
    other.loadStateDict(avg.stateDict());
    expect(other.numAveraged).toBe(2);
    noGrad(() => model.weight.fill_(5));
    other.updateParameters(model);
    expect(flat(other.module.weight)).toEqual([3, 3]);
  });

  it('rejects both averaging functions, mismatched models and bad decays', () => {
    const m = new Linear(2, 2);
    expect(() => new AveragedModel(m, { avgFn: getSwaAvgFn(), multiAvgFn: getSwaMultiAvgFn() })).toThrow(
      /AveragedModel: give avgFn or multiAvgFn, not both/,
    );
    expect(() => new AveragedModel(m).updateParameters(new Linear(2, 3))).toThrow(
      /AveragedModel.updateParameters: tensor 0 has shape \[3,2\] in the model, \[2,2\] in the average/,
    );
    expect(() => new AveragedModel(m).updateParameters(new Linear(2, 2, { bias: false }))).toThrow(
      /has 1 tensors/,
    );
    expect(() => getEmaAvgFn(1.5)).toThrow(/getEmaAvgFn: decay must be in \[0, 1\], got 1.5/);
  });
});
