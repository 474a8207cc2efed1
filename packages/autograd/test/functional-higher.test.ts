import { functional, hessian, hvp, jacobian, jvp, vhp } from '@tessera/autograd';
import { type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { expectClose } from './helpers.js';

// jacobian / hessian / jvp / hvp / vhp on small functions against analytic results.

const f64 = (data: number[] | number[][] | number) => tensor(data, { dtype: 'float64' });
const diag = (v: number[]) => v.map((x, i) => v.map((_, j) => (i === j ? x : 0)));

describe('jacobian', () => {
  it('elementwise square: diag(2x)', () => {
    expectClose(
      jacobian((x) => x.square(), f64([1, -2, 3])),
      diag([2, -4, 6]),
    );
  });
  it('several inputs: one Jacobian per input', () => {
    const [jx, jy] = jacobian((x, y) => x.mul(y!), [f64([1, 2]), f64([3, 4])]);
    expectClose(jx!, diag([3, 4]));
    expectClose(jy!, diag([1, 2]));
  });
  it('several outputs: one Jacobian per output; shapes are out.shape ++ in.shape', () => {
    const x = f64([1, 2, 4]);
    const [js, jp] = jacobian((t: Tensor) => [t.sum(), t.prod()], x);
    expect(js!.shape).toEqual([3]);
    expectClose(js!, [1, 1, 1]);
    expectClose(jp!, [8, 4, 2]);
    const b = f64([1, 2, 3]);
    const j = jacobian(
      (a) => a.matmul(b),
      f64([
        [1, 0, 0],
        [0, 1, 0],
      ]),
    );
    expect(j.shape).toEqual([2, 2, 3]);
    expectClose(j, [
      [
        [1, 2, 3],
        [0, 0, 0],
      ],
      [
        [0, 0, 0],
        [1, 2, 3],
      ],
    ]);
    const both = jacobian((p: Tensor, q: Tensor) => [p.mul(q), p.sum()], [f64([1, 2]), f64([5, 6])]);
    expectClose(both[1]![1]!, [0, 0]);
    expectClose(both[0]![1]!, diag([1, 2]));
  });
  it('unused inputs and constant outputs give zeros', () => {
    const [jx, jy] = jacobian((x, _y) => x.mul(2), [f64([1]), f64([1, 2])]);
    expectClose(jx!, [[2]]);
    expectClose(jy!, [[0, 0]]);
  });
  it('createGraph: the Jacobian is differentiable (d/dx sum(diag(3x²)) = 6x)', () => {
    const x = f64([1, 2]).requiresGrad_(true);
    const j = jacobian((t) => t.pow(3), x, { createGraph: true });
    expect(j.requiresGrad).toBe(true);
    j.sum().backward();
    expectClose(x.grad!, [6, 12]);
    expect(jacobian((t) => t.pow(3), x).requiresGrad).toBe(false);
  });
  it('is in the functional namespace with vjp', () => {
    expect(functional.jacobian).toBe(jacobian);
    const [, [g]] = functional.vjp((x) => x.square(), f64([3]), f64([1]));
    expectClose(g!, [6]);
  });
  it('errors', () => {
    expect(() => jacobian((x) => x, tensor([1, 2], { dtype: 'int32' }))).toThrow(
      'jacobian: inputs[0] must be a floating-point tensor',
    );
    expect(() => jacobian((x) => x, f64([1]), { create_graph: true } as never)).toThrow(
      "jacobian: unknown option 'create_graph', did you mean 'createGraph'?",
    );
    expect(() => hessian((x) => x.sum(), f64([1]), { createGraph: 'yes' } as never)).toThrow(
      'hessian: option \'createGraph\' must be a boolean, got the string "yes"',
    );
    expect(() => jacobian(() => 3 as never, f64([1]))).toThrow('jacobian: the function must return a tensor');
  });
});

describe('hessian', () => {
  it('sum(x³): diag(6x)', () => {
    expectClose(
      hessian((x) => x.pow(3).sum(), f64([1, -2])),
      diag([6, -12]),
    );
  });
  it('quadratic form xᵀAx: A + Aᵀ', () => {
    const a = f64([
      [1, 2],
      [3, 4],
    ]);
    expectClose(
      hessian((x) => x.matmul(a).matmul(x), f64([0.5, -1])),
      [
        [2, 5],
        [5, 8],
      ],
    );
  });
  it('several inputs: [i][j] blocks', () => {
    const h = hessian((x, y) => x.square().mul(y!).sum(), [f64([1, 2]), f64([3, 4])]);
    expectClose(h[0]![0]!, diag([6, 8]));
    expectClose(h[0]![1]!, diag([2, 4]));
    expectClose(h[1]![0]!, diag([2, 4]));
    expectClose(h[1]![1]!, diag([0, 0]));
  });
  it('a linear function has a zero Hessian; non-scalar functions are refused', () => {
    expectClose(
      hessian((x) => x.mul(3).sum(), f64([1, 2])),
      diag([0, 0]),
    );
    expect(() => hessian((x) => x.square(), f64([1, 2]))).toThrow(
      'hessian: the function must return a one-element tensor, got a tensor of shape [2]',
    );
  });
});

describe('jvp', () => {
  it('x²: J·v = 2x·v, and the output', () => {
    const [out, p] = jvp((x) => x.square(), f64([1, 2, 3]), f64([1, 0, -1]));
    expectClose(out as Tensor, [1, 4, 9]);
    expectClose(p as Tensor, [2, 0, -6]);
  });
  it('agrees with jacobian · v for several inputs and outputs', () => {
    const a = f64([
      [1, -2],
      [0.5, 3],
    ]);
    const f = (x: Tensor, y: Tensor) => [x.matmul(a).tanh().mul(y), x.mul(y).sum()];
    const xs = [f64([0.3, -0.7]), f64([1.5, 2])];
    const vs = [f64([1, 2]), f64([-1, 0.5])];
    const [, prods] = jvp(f as never, xs, vs);
    const j = jacobian(f, xs);
    for (let o = 0; o < 2; o++) {
      let want = j[o]![0]!.matmul(vs[0]!).add(j[o]![1]!.matmul(vs[1]!));
      want = o === 1 ? want.reshape([]) : want;
      expectClose((prods as Tensor[])[o]!, want.arraySync() as number[]);
    }
  });
  it('v may be omitted for one one-element input; errors', () => {
    const [, p] = jvp((x) => x.exp(), f64([0]));
    expectClose(p as Tensor, [1]);
    expect(() => jvp((x) => x, f64([1, 2]))).toThrow(
      'jvp: v can be omitted only when inputs is a single one-element tensor',
    );
    expect(() => jvp((x) => x, f64([1, 2]), f64([1]))).toThrow(
      'jvp: v[0] must have the shape of inputs[0], [2]; got shape [1]',
    );
  });
});

describe('hvp / vhp', () => {
  it('sum(x³): H·v = 6x·v', () => {
    const [out, p] = hvp((x) => x.pow(3).sum(), f64([1, 2]), f64([1, -1]));
    expectClose(out, 9);
    expectClose(p as Tensor, [6, -12]);
    const [, q] = vhp((x) => x.pow(3).sum(), f64([1, 2]), f64([1, -1]));
    expectClose(q as Tensor, [6, -12]);
  });
  it('agrees with hessian · v for two inputs; createGraph keeps it differentiable', () => {
    const f = (x: Tensor, y: Tensor) => x.square().mul(y.sin()).sum();
    const xs = [f64([0.5, 1]), f64([0.2, -0.4])];
    const vs = [f64([1, 2]), f64([3, -1])];
    const [, p] = hvp(f as never, xs, vs);
    const h = hessian(f as never, xs);
    for (let i = 0; i < 2; i++) {
      const want = h[i]![0]!.matmul(vs[0]!).add(h[i]![1]!.matmul(vs[1]!));
      expectClose((p as Tensor[])[i]!, want.arraySync() as number[]);
    }
    const x = f64([2]).requiresGrad_(true);
    const [, r] = hvp((t) => t.pow(4).sum(), x, f64([1]), { createGraph: true });
    (r as Tensor).sum().backward(); // d/dx 12x² = 24x
    expectClose(x.grad!, [48]);
  });
  it('errors', () => {
    expect(() => hvp((x) => x.square(), f64([1, 2]), f64([1, 1]))).toThrow(
      'hvp: the function must return a one-element tensor, got a tensor of shape [2]',
    );
    expect(() => vhp((x) => x.sum(), [f64([1]), f64([2])], [f64([1])])).toThrow(
      'vhp: v has 1 tensors but inputs has 2',
    );
  });
});
