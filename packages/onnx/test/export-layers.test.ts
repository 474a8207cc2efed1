import {
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv1d,
  Conv2d,
  Dropout,
  ELU,
  Embedding,
  Flatten,
  GELU,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
  Sigmoid,
  SiLU,
  Softmax,
  Softplus,
  Tanh,
} from '@tessera/nn';
import { cat, manualSeed, pad, randint, randn, type Tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { ortError } from './helpers.js';

const TOL = 1e-4;

describe('exportOnnx layers, checked in onnxruntime-node', () => {
  const cases: [string, () => Module, () => Tensor[]][] = [
    ['Linear', () => new Linear(5, 3), () => [randn([4, 5])]],
    ['Linear (no bias, 3-D input)', () => new Linear(5, 3, { bias: false }), () => [randn([2, 4, 5])]],
    [
      'Conv2d (padding, stride)',
      () => new Conv2d(3, 4, 3, { padding: 1, stride: 2 }),
      () => [randn([2, 3, 7, 7])],
    ],
    [
      'Conv2d (groups, dilation)',
      () => new Conv2d(4, 4, 3, { groups: 2, dilation: 2 }),
      () => [randn([1, 4, 9, 9])],
    ],
    ['Conv1d', () => new Conv1d(3, 2, 3, { padding: 1 }), () => [randn([2, 3, 8])]],
    ['MaxPool2d', () => new MaxPool2d(2), () => [randn([2, 3, 6, 6])]],
    [
      'MaxPool2d (stride 1, padding)',
      () => new MaxPool2d(3, { stride: 1, padding: 1 }),
      () => [randn([1, 2, 5, 5])],
    ],
    ['AvgPool2d', () => new AvgPool2d(2), () => [randn([2, 3, 6, 6])]],
    ['ReLU', () => new ReLU(), () => [randn([3, 4])]],
    ['Tanh', () => new Tanh(), () => [randn([3, 4])]],
    ['Sigmoid', () => new Sigmoid(), () => [randn([3, 4])]],
    ['LeakyReLU', () => new LeakyReLU(0.2), () => [randn([3, 4])]],
    ['ELU', () => new ELU(), () => [randn([3, 4])]],
    ['GELU', () => new GELU(), () => [randn([3, 4])]],
    ['SiLU', () => new SiLU(), () => [randn([3, 4])]],
    ['Softplus', () => new Softplus(), () => [randn([3, 4])]],
    ['Softmax', () => new Softmax(1), () => [randn([3, 4])]],
    ['LogSoftmax', () => new LogSoftmax(-1), () => [randn([3, 4])]],
    ['Flatten', () => new Sequential(new Flatten(), new Linear(12, 2)), () => [randn([2, 3, 2, 2])]],
    ['Dropout (eval)', () => new Dropout(0.5), () => [randn([3, 4])]],
    ['BatchNorm1d (eval)', () => withStats(new BatchNorm1d(4), [8, 4]), () => [randn([3, 4])]],
    ['BatchNorm2d (eval)', () => withStats(new BatchNorm2d(3), [4, 3, 5, 5]), () => [randn([2, 3, 5, 5])]],
    ['LayerNorm', () => new LayerNorm([4]), () => [randn([2, 3, 4])]],
    ['Embedding', () => new Embedding(10, 4), () => [randint(0, 10, [2, 5])]],
    ['permute/slice/cat/matmul', () => new Mixer(), () => [randn([2, 3, 4])]],
  ];
  for (const [name, make, inputs] of cases) {
    it(name, async () => {
      manualSeed(1);
      const err = await ortError(make(), inputs());
      expect(err).toBeLessThan(TOL);
    });
  }
});

/** Runs a few training-mode batches so the running statistics are not the defaults. */
function withStats<M extends Module>(m: M, shape: number[]): M {
  m.train();
  for (let i = 0; i < 3; i++) m.call(randn(shape).mul(2).add(1));
  return m;
}

class Mixer extends Module {
  forward(x: Tensor): Tensor {
    const t = x.permute(0, 2, 1); // [2, 4, 3]
    const s = t.slice(1, 1, 4, 2); // [2, 2, 3]
    const c = cat([s, t.slice(1, 0, 1)], 1); // [2, 3, 3]
    return pad(
      c
        .matmul(x.slice(2, 0, 3))
        .flip(1)
        .sum(-1)
        .unsqueeze(1),
      [1, 0],
    ).clamp(-1, 2);
  }
}
