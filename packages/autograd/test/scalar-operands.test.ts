import { backward, gradcheck, gradgradcheck, noGrad } from '@tessera/autograd';
import * as T from '@tessera/tensor';
import {
  type DifferentiableBinaryOp,
  type OpCall,
  pushOpObserver,
  type Tensor,
  tensor,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { positive, rnd } from './inputs.js';

// Gradients of binary ops with a JS-number operand (`x.mul(0.5)`, `2 - x`): the op records the
// tensor as its only input and the number as attrs, and has gradient rules of its own.

type Fn = (a: Tensor | number, b: Tensor | number) => Tensor;
const fn = (op: DifferentiableBinaryOp): Fn => (T as unknown as Record<string, Fn>)[op]!;

/** Each op with the scalars to try and the inputs where it is smooth (as a map of normal draws). */
const CASES: readonly [DifferentiableBinaryOp, readonly number[], ((t: Tensor) => Tensor) | undefined][] = [
  ['add', [2.5, -1], undefined],
  ['sub', [2.5, -1], undefined],
  ['mul', [0.5, -3], undefined],
  ['div', [0.5, -3], positive],
  ['pow', [2, 0.5, 3], positive],
  ['remainder', [0.7, -1.3], positive],
  ['minimum', [0.3, -0.2], undefined],
  ['maximum', [0.3, -0.2], undefined],
  ['atan2', [0.8, -1.5], undefined],
];

describe('gradients with a scalar operand', () => {
  for (const [op, scalars, map] of CASES) {
    for (const first of [false, true]) {
      it(`${op} with the number ${first ? 'on the left' : 'on the right'}: gradcheck and double backward`, () => {
        const f = fn(op);
        for (const s of scalars) {
          // a positive exponent base for s ** x
          const x = rnd([5], map);
          const g = (t: Tensor) => (first ? f(s, t) : f(t, s));
          const calls: OpCall[] = [];
          const h = pushOpObserver({
            run: (c, compute) => {
              calls.push(c);
              return compute();
            },
          });
          g(x);
          h.remove();
          expect(calls.at(-1)!.attrs).toEqual({ scalar: s, scalarFirst: first ? 1 : 0 });
          expect(gradcheck(g, [x]), `${op} ${s}`).toBe(true);
          expect(gradgradcheck(g, [x]), `${op} ${s}`).toBe(true);
        }
      });
    }
  }

  it('gradients equal those of a 0-d operand bit for bit (float32)', () => {
    for (const [op, scalars, map] of CASES) {
      const f = fn(op);
      for (const s of scalars) {
        for (const first of [false, true]) {
          const base = noGrad(() => rnd([6], map).cast('float32'));
          const xs = base.clone().requiresGrad_(true);
          const xt = base.clone().requiresGrad_(true);
          const zd = tensor(s, { dtype: 'float32' });
          backward((first ? f(s, xs) : f(xs, s)).sum());
          backward((first ? f(zd, xt) : f(xt, zd)).sum());
          expect(Array.from(xs.grad!.dataSync()), `${op} ${s} ${first}`).toEqual(
            Array.from(xt.grad!.dataSync()),
          );
        }
      }
    }
  });

  it('keeps only what the form needs: x / s and x * s save nothing, s / x saves x', () => {
    const x = rnd([3]);
    const h = x.mul(1);
    const y = h.div(2).mul(3).add(1).sub(4);
    const z = T.div(2, h);
    noGrad(() => h.mul_(5)); // bumps h's version after the forward
    backward(y.sum()); // nothing saved: no version error
    expect(Array.from(x.grad!.dataSync())).toEqual([1.5, 1.5, 1.5]);
    expect(() => backward(z.sum())).toThrow(/in-place|modified|version/i);
  });

  it('pow: the gradient of x ** 0 is zero, and of 0 ** x is zero where x >= 0', () => {
    const x = tensor([-1, 0, 2], { dtype: 'float64' }).requiresGrad_(true);
    backward(x.pow(0).sum());
    expect(x.grad!.arraySync()).toEqual([0, 0, 0]);
    const y = tensor([0, 2], { dtype: 'float64' }).requiresGrad_(true);
    backward(T.pow(0, y).sum());
    expect(y.grad!.arraySync()).toEqual([0, 0]);
  });
});
