import {
  adaptiveAvgPool2d,
  avgPool2d,
  conv1d,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  convTranspose2d,
  fold,
  maxPool2d,
  maxPool2dWithIndices,
  unfold,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { type GradCase, itGradchecks } from './gradcheck-cases.js';
import { expectClose } from './helpers.js';
import { rnd } from './inputs.js';

const CASES: GradCase[] = [
  [
    'conv2d',
    (x, w) => conv2d(x, w!),
    [
      [1, 2, 4, 4],
      [3, 2, 2, 2],
    ],
  ],
  [
    'conv2d bias stride padding',
    (x, w, b) => conv2d(x, w!, b, { stride: 2, padding: 1 }),
    [[2, 1, 4, 3], [2, 1, 3, 3], [2]],
  ],
  [
    'conv2d dilation groups',
    (x, w) => conv2d(x, w!, null, { dilation: 2, groups: 2, padding: [1, 0] }),
    [
      [1, 4, 5, 4],
      [2, 2, 2, 2],
    ],
  ],
  [
    'conv2d same',
    (x, w) => conv2d(x, w!, null, { padding: 'same' }),
    [
      [1, 1, 3, 4],
      [1, 1, 2, 3],
    ],
  ],
  ['conv1d', (x, w, b) => conv1d(x, w!, b, { stride: 2, padding: 1 }), [[2, 2, 5], [3, 2, 3], [3]]],
  [
    'convTranspose2d',
    (x, w) => convTranspose2d(x, w!, null, { stride: 2, padding: 1, outputPadding: 1 }),
    [
      [1, 2, 3, 3],
      [2, 1, 3, 3],
    ],
  ],
  [
    'conv2dBackwardInput',
    (dy, w) => conv2dBackwardInput(dy, w!, [1, 2, 4, 4], { stride: 1 }),
    [
      [1, 3, 3, 3],
      [3, 2, 2, 2],
    ],
  ],
  [
    'conv2dBackwardWeight',
    (x, dy) => conv2dBackwardWeight(x, dy!, [3, 2, 2, 2]),
    [
      [1, 2, 4, 4],
      [1, 3, 3, 3],
    ],
  ],
  ['maxPool2d', (x) => maxPool2d(x, 2), [[1, 2, 4, 4]]],
  ['maxPool2d overlapping, padding', (x) => maxPool2d(x, 3, { stride: 2, padding: 1 }), [[2, 1, 5, 4]]],
  ['maxPool2d 3-D input', (x) => maxPool2dWithIndices(x, [2, 1]).values, [[2, 4, 3]]],
  ['avgPool2d', (x) => avgPool2d(x, 2), [[1, 2, 4, 4]]],
  [
    'avgPool2d padding ceil',
    (x) => avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
    [[1, 1, 5, 5]],
  ],
  ['adaptiveAvgPool2d', (x) => adaptiveAvgPool2d(x, [2, 3]), [[1, 2, 5, 4]]],
  ['unfold', (x) => unfold(x, 2, { stride: 1, padding: 1 }), [[1, 2, 3, 3]]],
  ['fold', (c) => fold(c, [3, 3], 2, { padding: 1 }), [[1, 8, 16]]],
];

describe('convolution and pooling: gradcheck and gradgradcheck', () => {
  itGradchecks(CASES);
});

describe('multi-output ops', () => {
  it('maxPool2dWithIndices: values carry gradients, indices do not', () => {
    const x = rnd([1, 1, 2, 4]);
    const { values, indices } = maxPool2dWithIndices(x, 2);
    expect(values.requiresGrad).toBe(true);
    expect(indices.requiresGrad).toBe(false);
    expect(values.gradFn?.name).toBe('MaxPool2dBackward');
    values.sum().backward();
    const data = x.detach().arraySync() as number[][][][];
    const plane = data[0]![0]!;
    const expected = plane.map((row) => row.map(() => 0));
    for (const w0 of [0, 2]) {
      let best = [0, w0];
      for (const [h, w] of [
        [0, w0],
        [0, w0 + 1],
        [1, w0],
        [1, w0 + 1],
      ] as const) {
        if (plane[h]![w]! > plane[best[0]!]![best[1]!]!) best = [h, w];
      }
      expected[best[0]!]![best[1]!] = 1;
    }
    expectClose(x.grad, [[expected]]);
  });
});
