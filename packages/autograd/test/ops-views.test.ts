import { gradcheck, gradgradcheck } from '@tessera/autograd';
import {
  cat,
  chunk,
  diagonalScatter,
  flip,
  pad,
  repeat,
  roll,
  selectScatter,
  sliceScatter,
  split,
  stack,
  type Tensor,
  tile,
  tril,
  triu,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { rnd, rndStrided } from './inputs.js';

type Case = [name: string, f: (...xs: Tensor[]) => Tensor, shapes: number[][], stridedOk?: boolean];

const CASES: Case[] = [
  ['reshape', (x) => x.reshape(3, 2), [[2, 3]]],
  ['reshape -1', (x) => x.reshape(-1), [[2, 3]]],
  ['view', (x) => x.view(6), [[2, 3]], false],
  ['flatten', (x) => x.flatten(1), [[2, 2, 2]]],
  ['unflatten', (x) => x.unflatten(1, [2, 2]), [[3, 4]]],
  ['squeeze', (x) => x.squeeze(), [[2, 1, 3]]],
  ['unsqueeze', (x) => x.unsqueeze(1), [[2, 3]]],
  ['permute', (x) => x.permute(2, 0, 1), [[2, 3, 4]]],
  ['transpose', (x) => x.transpose(0, 2), [[2, 3, 2]]],
  ['T', (x) => x.T, [[2, 3]]],
  ['mT', (x) => x.mT, [[2, 2, 3]]],
  ['expand', (x) => x.expand(2, 3, 4), [[3, 1]]],
  ['broadcastTo', (x) => x.broadcastTo([2, 3]), [[3]]],
  ['slice', (x) => x.slice(1, 1, 4), [[2, 5]]],
  ['slice step 2', (x) => x.slice(0, 0, undefined, 2), [[5, 2]]],
  ['slice negative step', (x) => x.slice(1, undefined, undefined, -2), [[2, 5]]],
  ['slice negative step, bounded', (x) => x.slice(0, 3, 0, -1), [[5]]],
  ['slice empty', (x) => x.slice(0, 2, 2).sum().add(x.sum()), [[4]]],
  ['narrow', (x) => x.narrow(0, 1, 2), [[4, 2]]],
  ['select', (x) => x.select(1, -1), [[2, 3, 2]]],
  ['diagonal', (x) => x.diagonal(), [[3, 3]]],
  ['diagonal offset', (x) => x.diagonal(1, 1, 2), [[2, 3, 4]]],
  ['diagonal negative offset', (x) => x.diagonal(-1, 2, 0), [[3, 2, 3]]],
  ['contiguous', (x) => x.mT.contiguous(), [[2, 3]]],
  ['clone', (x) => x.clone(), [[2, 3]]],
  [
    'cat',
    (a, b, c) => cat([a!, b!, c!], 1),
    [
      [2, 1],
      [2, 3],
      [2, 2],
    ],
  ],
  [
    'stack',
    (a, b) => stack([a!, b!], 1),
    [
      [2, 3],
      [2, 3],
    ],
  ],
  ['split', (x) => split(x, [1, 3], 1)[1]!.mul(split(x, 2, 1)[0]!.sum()), [[2, 4]]],
  ['chunk', (x) => chunk(x, 2, 0)[1]!, [[4, 2]]],
  ['flip', (x) => flip(x, [0, 2]), [[2, 2, 3]]],
  ['pad constant', (x) => pad(x, [1, 2, 0, 1], 'constant', 0.5), [[2, 3]]],
  ['pad negative (crop)', (x) => pad(x, [-1, 1]), [[2, 3]]],
  ['pad reflect', (x) => pad(x, [2, 1], 'reflect'), [[2, 4]]],
  ['pad replicate', (x) => pad(x, [1, 2, 2, 0], 'replicate'), [[2, 3]]],
  ['pad circular', (x) => pad(x, [1, 2], 'circular'), [[2, 3]]],
  ['repeat', (x) => repeat(x, [2, 1, 3]), [[2, 2]]],
  ['tile', (x) => tile(x, [2, 2]), [[3]]],
  ['roll', (x) => roll(x, [1, -2], [0, 1]), [[3, 4]]],
  ['roll flat', (x) => roll(x, 2), [[2, 3]]],
  ['tril', (x) => tril(x, -1), [[3, 4]]],
  ['triu', (x) => triu(x, 1), [[2, 3, 3]]],
  [
    'sliceScatter',
    (b, s) => sliceScatter(b!, s!, 1, 0, 4, 2),
    [
      [3, 5],
      [3, 2],
    ],
  ],
  ['sliceScatter negative step', (b, s) => sliceScatter(b!, s!, 0, undefined, undefined, -2), [[5], [3]]],
  ['selectScatter', (b, s) => selectScatter(b!, s!, 0, 1), [[3, 2], [2]]],
  ['diagonalScatter', (b, s) => diagonalScatter(b!, s!, 1), [[3, 4], [3]]],
];

describe('view and shaping ops: gradcheck and gradgradcheck', () => {
  for (const [name, f, shapes, stridedOk] of CASES) {
    it(name, () => {
      const xs = shapes.map((s) => rnd(s));
      // Multiply by a fixed weight so the second-order check sees a non-trivial function.
      const g = (...ys: Tensor[]) => f(...ys).square();
      expect(gradcheck(f, xs)).toBe(true);
      expect(gradgradcheck(g, xs)).toBe(true);
    });
    if (stridedOk !== false) {
      it(`${name} non-contiguous`, () => {
        const xs = shapes.map((s) => rndStrided(s));
        expect(gradcheck(f, xs)).toBe(true);
      });
    }
  }
});
