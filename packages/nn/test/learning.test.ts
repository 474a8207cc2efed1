import { noGrad } from '@tessera/autograd';
import { F, Linear, LSTM, Module, ReLU, Sequential, Tanh } from '@tessera/nn';
import { manualSeed, rand, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { TinyAdam } from './helpers/train.js';

describe('learning', () => {
  it('a 2-8-1 MLP learns XOR to 100% accuracy', () => {
    manualSeed(0);
    const x = tensor(
      [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
      { dtype: 'float32' },
    );
    const y = tensor([[0], [1], [1], [0]], { dtype: 'float32' });
    const mlp = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1));
    const opt = new TinyAdam(mlp.parameters(), 0.05);
    let loss = 0;
    for (let step = 0; step < 300; step++) {
      const l = F.binaryCrossEntropyWithLogits(mlp.call(x), y);
      opt.zeroGrad();
      l.backward();
      opt.step();
      if (step === 299) loss = l.item() as number;
    }
    const pred = noGrad(() => mlp.call(x).gt(0).cast('float32'));
    expect(pred.arraySync()).toEqual(y.arraySync());
    expect(loss).toBeLessThan(0.05);
  });

  /**
   * The "remember the first bit" task: a sequence of T random ±1 values; the answer, asked at
   * the end, is whether the FIRST value was +1. The last input carries no information about it.
   */
  function batch(n: number, T: number): { x: Tensor; y: Tensor } {
    const bits = rand([T, n, 1]).lt(0.5).cast('float32'); // [T, N, 1] in {0, 1}
    return { x: bits.mul(2).sub(1), y: bits.select(0, 0).reshape(n).cast('int32') };
  }

  class Recall extends Module {
    lstm = new LSTM(1, 12);
    head = new Linear(12, 2);
    forward(x: Tensor): Tensor {
      const [, [h]] = this.lstm.call(x);
      return this.head.call(h.select(0, 0));
    }
  }

  const accuracy = (logits: Tensor, y: Tensor) =>
    (logits.argmax(1).eq(y).sum().item() as number) / y.shape[0]!;

  it('an LSTM learns to recall the first element of a sequence; a feed-forward model on the last input cannot', () => {
    manualSeed(1);
    const T = 8;
    const test = batch(1000, T);

    const lstm = new Recall();
    const opt = new TinyAdam(lstm.parameters(), 0.02);
    for (let step = 0; step < 120; step++) {
      const b = batch(64, T);
      const loss = F.crossEntropy(lstm.call(b.x), b.y);
      opt.zeroGrad();
      loss.backward(); // backpropagation through the 8 unrolled steps
      opt.step();
    }
    const lstmAcc = noGrad(() => accuracy(lstm.call(test.x), test.y));

    const mlp = new Sequential(new Linear(1, 16), new ReLU(), new Linear(16, 2));
    const opt2 = new TinyAdam(mlp.parameters(), 0.02);
    for (let step = 0; step < 120; step++) {
      const b = batch(64, T);
      const loss = F.crossEntropy(mlp.call(b.x.select(0, T - 1)), b.y);
      opt2.zeroGrad();
      loss.backward();
      opt2.step();
    }
    const mlpAcc = noGrad(() => accuracy(mlp.call(test.x.select(0, T - 1)), test.y));
    console.log(
      `recall-first task: LSTM ${(lstmAcc * 100).toFixed(1)}%, feed-forward on the last input ${(mlpAcc * 100).toFixed(1)}%`,
    );
    expect(lstmAcc).toBeGreaterThanOrEqual(0.98);
    expect(mlpAcc).toBeLessThan(0.6); // chance level: the last input is independent of the answer
  }, 60_000);
});
