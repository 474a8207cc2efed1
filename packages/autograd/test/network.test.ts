import { noGrad } from '@tessera/autograd';
import { type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { expectClose } from './helpers.js';

// A two-layer ReLU network, y = relu(x W1 + b1) W2 + b2, with a mean-squared-error loss. Every
// expected number below is computed by hand (plain JS arithmetic over the same inputs).

const X = [
  [1, 2],
  [-1, 0.5],
  [0.5, -1.5],
];
const W1 = [
  [0.5, -0.3, 0.8],
  [0.2, 0.8, -0.4],
];
const B1 = [0.1, -0.2, 0.05];
const W2 = [[1.5], [-0.7], [0.25]];
const B2 = [0.3];
const T = [[1], [0], [-0.5]];
const LR = 0.1;

/** The whole computation by hand: forward values, loss, gradients. */
function byHand() {
  const n = X.length;
  const pre = X.map((row) => B1.map((b, j) => b + row[0]! * W1[0]![j]! + row[1]! * W1[1]![j]!));
  const hid = pre.map((r) => r.map((v) => Math.max(0, v)));
  const out = hid.map((h) => [B2[0]! + h.reduce((s, v, j) => s + v * W2[j]![0]!, 0)]);
  const loss = out.reduce((s, o, i) => s + (o[0]! - T[i]![0]!) ** 2, 0) / n;
  const dOut = out.map((o, i) => [(2 * (o[0]! - T[i]![0]!)) / n]);
  const dB2 = [dOut.reduce((s, d) => s + d[0]!, 0)];
  const dW2 = W2.map((_, j) => [hid.reduce((s, h, i) => s + h[j]! * dOut[i]![0]!, 0)]);
  const dHid = dOut.map((d) => W2.map((w) => d[0]! * w[0]!));
  const dPre = dHid.map((r, i) => r.map((v, j) => (pre[i]![j]! > 0 ? v : 0)));
  const dB1 = B1.map((_, j) => dPre.reduce((s, r) => s + r[j]!, 0));
  const dW1 = W1.map((row, k) => row.map((_, j) => X.reduce((s, x, i) => s + x[k]! * dPre[i]![j]!, 0)));
  const step = (p: number[][], g: number[][]) => p.map((r, i) => r.map((v, j) => v - LR * g[i]![j]!));
  return {
    pre,
    hid,
    out,
    loss,
    dW1,
    dB1,
    dW2,
    dB2,
    W1: step(W1, dW1),
    B1: step([B1], [dB1])[0]!,
    W2: step(W2, dW2),
    B2: step([B2], [dB2])[0]!,
  };
}

describe('hand-worked two-layer ReLU network', () => {
  it('forward values, loss, every gradient and one SGD step', () => {
    const f64 = (d: number[] | number[][], requiresGrad = false) =>
      tensor(d, { dtype: 'float64', requiresGrad });
    const x = f64(X);
    const t = f64(T);
    const w1 = f64(W1, true);
    const b1 = f64(B1, true);
    const w2 = f64(W2, true);
    const b2 = f64(B2, true);
    const hand = byHand();
    // sanity of the example: some hidden units are cut off by the ReLU, some pass
    expect(hand.pre.flat().some((v) => v < 0) && hand.pre.flat().some((v) => v > 0)).toBe(true);

    const pre = x.matmul(w1).add(b1);
    const hid = pre.relu();
    const out = hid.matmul(w2).add(b2);
    const loss = out.sub(t).square().mean();
    expectClose(pre, hand.pre);
    expectClose(hid, hand.hid);
    expectClose(out, hand.out);
    expectClose(loss, hand.loss);

    loss.backward();
    expectClose(w1.grad, hand.dW1);
    expectClose(b1.grad, hand.dB1);
    expectClose(w2.grad, hand.dW2);
    expectClose(b2.grad, hand.dB2);

    noGrad(() => {
      for (const p of [w1, b1, w2, b2] as Tensor[]) p.sub_(p.grad!.mul(LR));
    });
    expectClose(w1, hand.W1);
    expectClose(b1, hand.B1);
    expectClose(w2, hand.W2);
    expectClose(b2, hand.B2);
    expect(w1.requiresGrad && w1.isLeaf).toBe(true);
  });
});
