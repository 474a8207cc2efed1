import { collapseStrides, contiguousStrides, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// The backend kit's stride collapse: which dims merge, and that the collapsed space addresses the
// same elements, in the same order, as the original one.

/** Every address of an iteration space, row-major over `shape`. */
function addresses(shape: readonly number[], strides: readonly number[]): number[] {
  const out: number[] = [];
  const idx = new Array<number>(shape.length).fill(0);
  const total = shape.reduce((a, b) => a * b, 1);
  for (let n = 0; n < total; n++) {
    out.push(idx.reduce((a, i, d) => a + i * strides[d]!, 0));
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

describe('collapseStrides', () => {
  it('merges a contiguous shape into one dim', () => {
    expect(collapseStrides([2, 3, 4], [contiguousStrides([2, 3, 4])])).toEqual({
      shape: [24],
      strides: [[1]],
    });
  });

  it('keeps the dims of a transposed view apart', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]).transpose(0, 1);
    expect(collapseStrides(t.shape, [t.strides])).toEqual({ shape: [3, 2], strides: [[1, 3]] });
  });

  it('merges only where every operand allows it', () => {
    // Operand 0 is contiguous [2, 3, 4]; operand 1 broadcasts along dim 0 (stride 0).
    const c = collapseStrides([2, 3, 4], [contiguousStrides([2, 3, 4]), [0, 4, 1]]);
    expect(c).toEqual({
      shape: [2, 12],
      strides: [
        [12, 1],
        [0, 1],
      ],
    });
  });

  it('drops size-1 dims, and collapses a shape with none above 1 to zero dims', () => {
    expect(collapseStrides([1, 5, 1, 2], [[99, 2, 7, 1]])).toEqual({ shape: [10], strides: [[1]] });
    expect(collapseStrides([], [[]])).toEqual({ shape: [], strides: [[]] });
    expect(collapseStrides([1, 1], [[1, 1]])).toEqual({ shape: [], strides: [[]] });
  });

  it('addresses the same elements in the same order as the original space', () => {
    const cases: [number[], number[][]][] = [
      [
        [3, 1, 4, 2],
        [
          [8, 100, 2, 1],
          [0, 0, 1, 0],
        ],
      ],
      [[2, 3, 2], [[-6, -2, -1]]],
      [
        [4, 3, 5],
        [
          [30, 10, 2],
          [15, 5, 1],
        ],
      ],
    ];
    for (const [shape, strides] of cases) {
      const c = collapseStrides(shape, strides);
      for (let k = 0; k < strides.length; k++) {
        expect(addresses(c.shape, c.strides[k]!)).toEqual(addresses(shape, strides[k]!));
      }
    }
  });
});
