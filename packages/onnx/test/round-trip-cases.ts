import {
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  Embedding,
  Flatten,
  GELU,
  LayerNorm,
  Linear,
  LogSoftmax,
  MaxPool2d,
  type Module,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
} from '@tessera/nn';
import { randint, randn, type Tensor } from '@tessera/tensor';

/** Models for the round-trip tests: name, constructor, example inputs. */
export function roundTripCases(): [string, () => Module, () => Tensor[]][] {
  return [
    [
      'Linear + Tanh + Softmax',
      () => new Sequential(new Linear(5, 4), new Tanh(), new Softmax(-1)),
      () => [randn([3, 5])],
    ],
    [
      'Conv2d + BatchNorm2d + AvgPool2d + Sigmoid',
      () =>
        new Sequential(
          new Conv2d(2, 3, 3, { padding: 1 }),
          new BatchNorm2d(3),
          new AvgPool2d(2),
          new Sigmoid(),
        ),
      () => [randn([2, 2, 6, 6])],
    ],
    [
      'MaxPool2d + Flatten + LogSoftmax',
      () => new Sequential(new MaxPool2d(2), new Flatten(), new LogSoftmax(1)),
      () => [randn([2, 3, 4, 4])],
    ],
    ['LayerNorm + GELU', () => new Sequential(new LayerNorm([6]), new GELU()), () => [randn([2, 3, 6])]],
    ['Embedding', () => new Embedding(10, 4), () => [randint(0, 10, [2, 5])]],
  ];
}
