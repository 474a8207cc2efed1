import {
  abs,
  exp,
  log,
  neg,
  randn,
  reciprocal,
  rsqrt,
  sigmoid,
  sqrt,
  square,
  type Tensor,
  tanh,
  tensor,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// The contiguous float32 loops of the unary ops (cpu/unary-f32.ts) against the general strided
// loop and against a float64 reference rounded to float32: the results must be the same bits.

const f = Math.fround;
const sig = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

const OPS: [string, (t: Tensor) => Tensor, (v: number) => number][] = [
  ['sqrt', sqrt, Math.sqrt],
  ['rsqrt', rsqrt, (v) => 1 / Math.sqrt(v)],
  ['exp', exp, Math.exp],
  ['log', log, Math.log],
  ['neg', neg, (v) => -v],
  ['abs', abs, Math.abs],
  ['square', square, (v) => v * v],
  ['reciprocal', reciprocal, (v) => 1 / v],
  ['tanh', tanh, Math.tanh],
  ['sigmoid', sigmoid, sig],
];

const SPECIAL = [Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-40, -3, 100];

/** Elements as numbers; toEqual tells -0 from 0 and matches NaN with NaN. */
const values = (t: Tensor): number[] => Array.from(t.dataSync());

describe('float32 unary kernels on contiguous rows', () => {
  // 10 elements take the general loop; 64 and more the float32 one.
  for (const n of [10, 64, 301]) {
    for (const [name, op, ref] of OPS) {
      it(`${name}, ${n} elements, special values included`, () => {
        const xs = Array.from(randn([n]).mul(3).dataSync());
        SPECIAL.forEach((v, i) => {
          if (i < n) xs[i] = v;
        });
        const x = tensor(xs);
        const r = op(x);
        expect(r.dtype).toBe('float32');
        expect(values(r)).toEqual(Array.from(x.dataSync(), (v) => f(ref(v))));
      });
    }
  }

  for (const [name, op] of OPS) {
    it(`${name} gives the same bits as the strided loop, and reads views at an offset`, () => {
      const base = randn([7, 90]).mul(2);
      // Transposed: the strided loop; contiguous copy: the float32 loop.
      const strided = op(base.mT);
      const flat = op(base.mT.contiguous());
      expect(values(flat)).toEqual(values(strided));
      // A contiguous view that starts at element 90 of its buffer.
      const rows = base.narrow(0, 1, 5);
      expect(values(op(rows))).toEqual(values(op(rows.contiguous().mT).mT.contiguous()));
    });
  }
});
