import '@tessera/autograd';
import { gradcheck } from '@tessera/autograd';
import { BCELoss, BCEWithLogitsLoss, F } from '@tessera/nn';
import { type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// Reference numbers from PyTorch 1.13.1 (torch.nn.functional) on the same inputs.

function closeTo(got: ArrayLike<number>, want: number[], rel: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = rel * Math.max(1, Math.abs(want[i]!));
    expect(Math.abs(got[i]! - want[i]!), `element ${i}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(tol);
  }
}

const f64 = (v: number[] | number[][]) => tensor(v, { dtype: 'float64' });

describe('binaryCrossEntropyWithLogits gradient is σ(x) - y at every x, 0 included', () => {
  it('matches PyTorch, mean reduction, logits 0, ±30', () => {
    const x = f64([0, 0, 1.5, -2, 0, 30, -30]).requiresGrad_();
    const y = f64([1, 0, 1, 0, 0.3, 0, 1]);
    const loss = F.binaryCrossEntropyWithLogits(x, y);
    loss.backward();
    closeTo([loss.item() as number], [8.915397547243678], 1e-12);
    closeTo(
      x.grad!.dataSync(),
      [
        -0.07142857142857142, 0.07142857142857142, -0.026060789115193765, 0.017028988860302508,
        0.028571428571428574, 0.1428571428571295, -0.1428571428571295,
      ],
      1e-12,
    );
  });

  it('matches PyTorch with posWeight [C] on [N, C] and an elementwise weight', () => {
    const x = f64([
      [0, 0.5, -1],
      [0, 0, 2],
    ]).requiresGrad_();
    const y = f64([
      [1, 0, 1],
      [0, 1, 0.5],
    ]);
    const weight = f64([
      [1, 2, 0.5],
      [1.5, 1, 1],
    ]);
    const loss = new BCEWithLogitsLoss({ weight, posWeight: f64([2, 0.5, 3]), reduction: 'sum' }).call(
      x,
      y,
    ) as Tensor;
    loss.backward();
    closeTo([loss.item() as number], [7.944491243963275], 1e-12);
    closeTo(
      x.grad!.dataSync(),
      [-1, 1.2449186624037092, -1.0965878679450074, 0.75, -0.25, 0.26159415595576463],
      1e-12,
    );
  });

  it('a zero-initialised head gets a gradient from positive targets (float32)', () => {
    const x = tensor([0, 0]).float().requiresGrad_();
    F.binaryCrossEntropyWithLogits(x, tensor([1, 1]).float(), { reduction: 'sum' }).backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([-0.5, -0.5]);
  });

  it('passes gradcheck away from and at 0', () => {
    const y = f64([1, 0, 0.5, 1]);
    const pw = f64([1.5]);
    expect(
      gradcheck(
        (x: Tensor) => F.binaryCrossEntropyWithLogits(x, y, { posWeight: pw }),
        [f64([0.3, -1.2, 0, 0]).requiresGrad_()],
      ),
    ).toBe(true);
  });

  it('says which posWeight shape is expected', () => {
    const x = f64([[0, 1, 2]]);
    expect(() => F.binaryCrossEntropyWithLogits(x, x, { posWeight: f64([[1, 1, 1]]) })).toThrow(
      'binaryCrossEntropyWithLogits: posWeight must be a 0-d or 1-d tensor of size 1 or 3 (one weight per class, the last dim of input [1,3]), got shape [1,3]',
    );
  });
});

describe("binaryCrossEntropy uses PyTorch's gradient (p - t) / max(p (1 - p), 1e-12)", () => {
  it('saturated float32 probabilities: confidently wrong gets a large gradient, tiny p a bounded one', () => {
    const p = tensor([1, 1e-30, 0.5, 0.999999, 0, 1e-7]).requiresGrad_();
    const t = tensor([0, 1, 1, 0, 0, 0]).float();
    const loss = F.binaryCrossEntropy(p, t);
    loss.backward();
    closeTo([loss.item() as number], [30.595502853393555], 1e-6);
    closeTo(
      p.grad!.dataSync(),
      [166666665984, -166666665984, -0.3333333432674408, 164482.515625, 0, 0.1666666865348816],
      1e-4,
    );
  });

  it('float64 with a weight, gradients for input and target', () => {
    const p = f64([0.2, 0.7, 0.999, 1e-5]).requiresGrad_();
    const t = f64([0, 1, 0.3, 1]).requiresGrad_();
    const loss = new BCELoss({ weight: f64([1, 2, 0.5, 1]) }).call(p, t) as Tensor;
    loss.backward();
    closeTo([loss.item() as number], [3.716820831713922], 1e-12);
    closeTo(p.grad!.dataSync(), [0.31249999999999994, -0.7142857142857143, 87.46246246246238, -25000], 1e-10);
    closeTo(
      t.grad!.dataSync(),
      [0.34657359027997264, -0.4236489301936017, -0.863344347331069, 2.878228866230057],
      1e-12,
    );
  });

  it('rejects probabilities outside [0, 1] as PyTorch does', () => {
    expect(() => F.binaryCrossEntropy(tensor([1.5]), tensor([1]).float())).toThrow(
      'binaryCrossEntropy: all elements of input should be between 0 and 1, got 1.5 at flat index 0 of input with shape [1]',
    );
    expect(() => new BCELoss().call(tensor([0.5, -0.5]), tensor([1, 0]).float())).toThrow(
      'got -0.5 at flat index 1',
    );
    expect(() => F.binaryCrossEntropy(tensor([Number.NaN]), tensor([1]).float())).toThrow('got NaN');
  });

  it('passes gradcheck for input and target', () => {
    const w = f64([1, 2, 0.5]);
    expect(
      gradcheck(
        (p: Tensor, t: Tensor) => F.binaryCrossEntropy(p, t, { weight: w }),
        [f64([0.2, 0.6, 0.9]).requiresGrad_(), f64([0, 1, 0.4]).requiresGrad_()],
      ),
    ).toBe(true);
  });
});
