import { einsum, type Tensor, tensor, zeros } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { f64, maxDiff, rand } from './helpers-float64.js';
import { recordOps } from './shaping-ref.js';

// einsum checked against a brute-force evaluator written here: loop over every assignment of
// all labels, multiply the operands' entries, and add into the output entry.

/** Brute-force einsum for letter-only equations with an explicit output. */
function brute(eq: string, ...ops: Tensor[]): { data: Float64Array; shape: number[] } {
  const [lhs, out] = eq.split('->') as [string, string];
  const terms = lhs.split(',');
  const size = new Map<string, number>();
  terms.forEach((t, i) => {
    [...t].forEach((c, d) => {
      size.set(c, Math.max(size.get(c) ?? 1, ops[i]!.shape[d]!));
    });
  });
  const labels = [...size.keys()];
  const data = ops.map(f64);
  const outShape = [...out].map((c) => size.get(c)!);
  const res = new Float64Array(outShape.reduce((p, q) => p * q, 1));
  const val = new Map<string, number>();
  const rec = (li: number): void => {
    if (li === labels.length) {
      let prod = 1;
      terms.forEach((t, i) => {
        let off = 0;
        [...t].forEach((c, d) => {
          const n = ops[i]!.shape[d]!;
          off = off * n + (n === 1 ? 0 : val.get(c)!);
        });
        prod *= data[i]![off]!;
      });
      let o = 0;
      [...out].forEach((c) => {
        o = o * size.get(c)! + val.get(c)!;
      });
      res[o]! += prod;
      return;
    }
    for (let v = 0; v < size.get(labels[li]!)!; v++) {
      val.set(labels[li]!, v);
      rec(li + 1);
    }
  };
  rec(0);
  return { data: res, shape: outShape };
}

function expectMatch(eq: string, ...ops: Tensor[]): void {
  const got = einsum(eq, ...ops);
  const ref = brute(eq, ...ops);
  expect(got.shape).toEqual(ref.shape);
  expect(maxDiff(f64(got), ref.data)).toBeLessThan(1e-12);
}

describe('einsum', () => {
  it('computes the common two-operand forms', () => {
    expectMatch('ij,jk->ik', rand([3, 4], 1), rand([4, 5], 2));
    expectMatch('ij,kj->ik', rand([3, 4], 3), rand([5, 4], 4));
    expectMatch('bij,bjk->bik', rand([2, 3, 4], 5), rand([2, 4, 5], 6));
    expectMatch('bhqd,bhkd->bhqk', rand([2, 2, 3, 4], 7), rand([2, 2, 5, 4], 8));
    expectMatch('i,j->ij', rand([3], 9), rand([4], 10));
    expectMatch('i,i->', rand([6], 11), rand([6], 12));
    expectMatch('ij,ij->ij', rand([3, 4], 13), rand([3, 4], 14));
    expectMatch('ij,ij->', rand([3, 4], 15), rand([3, 4], 16));
    expectMatch('ij,j->i', rand([3, 4], 17), rand([4], 18));
    expectMatch('bi,bi->b', rand([5, 4], 19), rand([5, 4], 20));
    expectMatch('ijk,ikl->jl', rand([2, 3, 4], 21), rand([2, 4, 5], 22)); // two contracted labels
    expectMatch('abc,cd->dba', rand([2, 3, 4], 23), rand([4, 2], 24)); // permuted output
    expectMatch('ij,jk->', rand([3, 4], 25), rand([4, 2], 26));
    expectMatch('ij,kl->ikjl', rand([2, 3], 27), rand([4, 2], 28));
    expectMatch('ij,jk->ki', rand([3, 4], 29), rand([4, 5], 30));
    expectMatch('xij,jk->xik', rand([1, 3, 4], 31), rand([4, 2], 32));
  });

  it('computes one-operand forms: transpose, trace, diagonal, sums', () => {
    const m = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ],
      { dtype: 'float64' },
    );
    expect(einsum('ij->ji', m).arraySync()).toEqual([
      [1, 4, 7],
      [2, 5, 8],
      [3, 6, 9],
    ]);
    expect(einsum('ii->', m).item()).toBe(15);
    expect(einsum('ii->i', m).arraySync()).toEqual([1, 5, 9]);
    expect(einsum('ij->', m).item()).toBe(45);
    expect(einsum('ij->j', m).arraySync()).toEqual([12, 15, 18]);
    expect(einsum('ij->i', m).arraySync()).toEqual([6, 15, 24]);
    expect(einsum('ij', m).arraySync()).toEqual(m.arraySync());
    expectMatch('bii->bi', rand([2, 3, 3], 40));
    expectMatch('iji->j', rand([3, 2, 3], 41));
    expectMatch('ijk->kij', rand([2, 3, 4], 42));
  });

  it('handles repeated labels across and within operands together', () => {
    expectMatch('ii,ij->j', rand([3, 3], 50), rand([3, 4], 51));
    expectMatch('ij,jj->i', rand([2, 3], 52), rand([3, 3], 53));
  });

  it('contracts three or more operands left to right', () => {
    expectMatch('ij,jk,kl->il', rand([2, 3], 60), rand([3, 4], 61), rand([4, 2], 62));
    expectMatch('i,ij,j->', rand([3], 63), rand([3, 4], 64), rand([4], 65));
    expectMatch('ab,bc,ca->', rand([2, 3], 66), rand([3, 4], 67), rand([4, 2], 68));
  });

  it('broadcasts size-1 dims', () => {
    expectMatch('bij,bjk->bik', rand([1, 3, 4], 70), rand([5, 4, 2], 71));
    expectMatch('ij,ij->ij', rand([3, 1], 72), rand([3, 4], 73));
    expectMatch('ij,jk->ik', rand([3, 1], 74), rand([4, 2], 75)); // contracted j: 1 vs 4
  });

  it('infers the output in implicit mode (labels used once, sorted)', () => {
    const a = rand([3, 4], 80);
    const b = rand([4, 5], 81);
    expect(f64(einsum('ij,jk', a, b))).toEqual(f64(einsum('ij,jk->ik', a, b)));
    expect(einsum('ba', rand([2, 3], 82)).shape).toEqual([3, 2]); // implicit transpose
    expect(
      einsum(
        'ii',
        tensor(
          [
            [1, 2],
            [3, 4],
          ],
          { dtype: 'float64' },
        ),
      ).item(),
    ).toBe(5);
    expect(einsum('i,i', tensor([1, 2, 3]), tensor([4, 5, 6])).item()).toBe(32);
  });

  it('supports ellipsis broadcasting', () => {
    const a = rand([2, 3, 4, 5], 90);
    const b = rand([3, 5, 2], 91);
    const r = einsum('...ij,...jk->...ik', a, b);
    expect(r.shape).toEqual([2, 3, 4, 2]);
    const ref = a.matmul(b);
    expect(Array.from(f64(r)).every((v, i) => Math.abs(v - f64(ref)[i]!) < 1e-12)).toBe(true);
    expect(einsum('...ii->...i', rand([2, 3, 3], 92)).shape).toEqual([2, 3]);
    expect(einsum('i...->...', rand([3, 2, 2], 93)).shape).toEqual([2, 2]);
    expect(einsum('...', rand([2, 3], 94)).shape).toEqual([2, 3]);
    expect(einsum('b...,b...->b', rand([2, 3, 4], 95), rand([2, 3, 4], 96)).shape).toEqual([2]);
  });

  it('is built from recorded ops (one matmul for a matrix product)', () => {
    const a = rand([3, 4], 1);
    const b = rand([4, 5], 2);
    const calls = recordOps(() => einsum('ij,jk->ik', a, b));
    expect(calls.filter((c) => c.name === 'matmul')).toHaveLength(1);
    expect(calls.every((c) => ['matmul', 'reshape', 'permute'].includes(c.name))).toBe(true);
  });

  it('reports bad equations clearly', () => {
    const a = zeros([2, 3]);
    expect(() => einsum('ij,jk->ik', a)).toThrow(
      "einsum: equation 'ij,jk->ik' has 2 operand(s) but 1 tensor(s) were given",
    );
    expect(() => einsum('ijk->i', a)).toThrow(
      "einsum: operand 0 has 2 dim(s) (shape [2,3]) but subscripts 'ijk' name 3",
    );
    expect(() => einsum('ij,jk->ik', a, zeros([4, 5]))).toThrow(
      "einsum: subscript 'j' has size 4 in operand 1 (shape [4,5]) but size 3 elsewhere",
    );
    expect(() => einsum('ij->k', a)).toThrow("einsum: output subscript 'k' does not appear in any input");
    expect(() => einsum('ij->ii', a)).toThrow("einsum: output subscript 'i' appears more than once");
    expect(() => einsum('i1->i', a)).toThrow("einsum: invalid subscript '1'");
    expect(() => einsum('ii->i', a)).toThrow(
      "einsum: repeated subscript 'i' spans dims of different sizes (2 and 3)",
    );
    expect(() => einsum('i->j->k', a)).toThrow("einsum: equation 'i->j->k' has more than one '->'");
    expect(() => einsum('....->', a)).toThrow('einsum:');
    expect(() => einsum('ij')).toThrow("einsum: equation 'ij' needs at least one operand");
  });
});
