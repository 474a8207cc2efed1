import { bmm, dot, einsum, mm, outer, tensor } from '@tessera/tensor';
import { describe, it } from 'vitest';
import { type GradCase, itGradchecks } from './gradcheck-cases.js';
import { expectClose } from './helpers.js';

const idx = (data: number[] | number[][]) => tensor(data, { dtype: 'int32' });

const INDEXING: GradCase[] = [
  [
    'gather',
    (x) =>
      x.gather(
        1,
        idx([
          [0, 2, 2],
          [1, 0, 1],
        ]),
      ),
    [[2, 3]],
  ],
  [
    'scatter',
    (x, s) => x.scatter(0, idx([[1, 0]]), s!),
    [
      [2, 2],
      [1, 2],
    ],
  ],
  [
    'scatter larger src',
    (x, s) => x.scatter(1, idx([[2], [0]]), s!),
    [
      [2, 3],
      [2, 2],
    ],
  ],
  ['scatter scalar', (x) => x.scatter(1, idx([[0], [2]]), 1.5), [[2, 3]]],
  [
    'scatterAdd',
    (x, s) =>
      x.scatterAdd(
        1,
        idx([
          [0, 0, 2],
          [1, 1, 1],
        ]),
        s!,
      ),
    [
      [2, 3],
      [2, 3],
    ],
  ],
  ['indexSelect', (x) => x.indexSelect(0, idx([2, 0, 2])), [[3, 2]]],
  [
    'indexAdd',
    (x, s) => x.indexAdd(1, idx([0, 2, 0]), s!, 0.5),
    [
      [2, 3],
      [2, 3],
    ],
  ],
  ['maskedFill', (x) => x.maskedFill(tensor([[true, false, true]]), 2), [[2, 3]]],
  [
    'maskedSelect',
    (x) =>
      x.maskedSelect(
        tensor([
          [true, false],
          [false, true],
        ]),
      ),
    [[2, 2]],
  ],
];

const LINALG: GradCase[] = [
  [
    'matmul 2d',
    (a, b) => a.matmul(b!),
    [
      [2, 3],
      [3, 4],
    ],
  ],
  ['matmul 1d·1d', (a, b) => a.matmul(b!), [[3], [3]]],
  ['matmul 1d·2d', (a, b) => a.matmul(b!), [[3], [3, 2]]],
  ['matmul 2d·1d', (a, b) => a.matmul(b!), [[2, 3], [3]]],
  [
    'matmul batched broadcast',
    (a, b) => a.matmul(b!),
    [
      [2, 1, 2, 3],
      [3, 3, 2],
    ],
  ],
  ['matmul 3d·1d', (a, b) => a.matmul(b!), [[2, 2, 3], [3]]],
  [
    'mm',
    (a, b) => mm(a, b!),
    [
      [2, 2],
      [2, 3],
    ],
  ],
  [
    'bmm',
    (a, b) => bmm(a, b!),
    [
      [2, 2, 3],
      [2, 3, 2],
    ],
  ],
  ['dot', (a, b) => dot(a, b!), [[4], [4]]],
  ['outer', (a, b) => outer(a, b!), [[3], [2]]],
  [
    'einsum',
    (a, b) => einsum('bij,jk->bik', a, b!),
    [
      [2, 2, 3],
      [3, 2],
    ],
  ],
  ['einsum trace', (a) => einsum('ii->', a), [[3, 3]]],
];

describe('index ops and linear algebra: gradcheck and gradgradcheck', () => {
  itGradchecks([...INDEXING, ...LINALG]);

  it('repeated indices add up', () => {
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    x.indexSelect(0, idx([0, 0, 2, 0]))
      .sum()
      .backward();
    expectClose(x.grad, [3, 0, 1]);
    const y = tensor([[1, 2]], { dtype: 'float64', requiresGrad: true });
    y.gather(1, idx([[1, 1, 1]]))
      .sum()
      .backward();
    expectClose(y.grad, [[0, 3]]);
  });

  it('scatter: overwritten elements get no gradient', () => {
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const s = tensor([10, 20], { dtype: 'float64', requiresGrad: true });
    x.scatter(0, idx([2, 0]), s)
      .mul(tensor([1, 2, 3], { dtype: 'float64' }))
      .sum()
      .backward();
    expectClose(x.grad, [0, 2, 0]);
    expectClose(s.grad, [3, 1]);
  });
});
