import {
  autogradGrad,
  checkpoint,
  defineFunction,
  detectAnomaly,
  enableGrad,
  grad,
  gradcheck,
  gradgradcheck,
  isAnomalyEnabled,
  noGrad,
  setDetectAnomaly,
  valueAndGrad,
  vjp,
} from '@tessera/autograd';
import { manualSeed, memory, rand, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { collect, expectClose, leaf } from './helpers.js';
import { rnd } from './inputs.js';

const f64 = (data: number[] | number[][] | number) => tensor(data, { dtype: 'float64' });

describe('grad / valueAndGrad / vjp', () => {
  it('grad returns one gradient per argument and leaves .grad alone', () => {
    const f = (x: Tensor, y: Tensor, scale: number) => x.mul(y).sum().mul(scale);
    const x = f64([1, 2]);
    const y = f64([3, 4]);
    const [gx, gy, gs] = grad(f)(x, y, 2);
    expectClose(gx, [6, 8]);
    expectClose(gy, [2, 4]);
    expect(gs).toBeNull();
    expect(x.grad).toBeNull();
    expect(x.requiresGrad).toBe(false);
  });

  it('valueAndGrad returns the value too; unused and integer arguments', () => {
    const f = (x: Tensor, _unused: Tensor, labels: Tensor) =>
      x.square().sum().add(labels.sum().cast('float64'));
    const [value, [gx, gu, gl]] = valueAndGrad(f)(f64([1, 2]), f64([5]), tensor([1, 2]));
    expectClose(value, 8);
    expect(value.requiresGrad).toBe(false);
    expectClose(gx, [2, 4]);
    expectClose(gu, [0]);
    expect(gl).toBeNull();
    expect(() => grad((x: Tensor) => x.mul(2))(f64([1, 2]))).toThrow(/one-element tensor, got shape \[2\]/);
  });

  it('grad composes: second derivative of x^3 is 6x', () => {
    const f = (x: Tensor) => x.pow(3).sum();
    const d2 = grad((x: Tensor) => grad(f)(x)[0].sum());
    expectClose(d2(f64([2, -1]))[0], [12, -6]);
    const d3 = grad((x: Tensor) => d2(x)[0].sum());
    expectClose(d3(f64([2, -1]))[0], [6, 6]);
  });

  it('vjp', () => {
    const [out, [g]] = vjp((x) => x.mul(x), f64([1, 2, 3]), f64([1, 0, 2]));
    expectClose(out, [1, 4, 9]);
    expectClose(g, [2, 0, 12]);
    const [, gs] = vjp((a, b) => a.matmul(b!), [f64([[1, 2]]), f64([[3], [4]])]);
    expectClose(gs[0], [[3, 4]]);
    expectClose(gs[1], [[1], [2]]);
  });
});

describe('second order', () => {
  it('Hessian-vector product', () => {
    // f(x) = 0.5 xᵀAx + sum(x^3): H = A + diag(6x), so Hv = Av + 6 x ⊙ v
    const A = f64([
      [2, 1, 0],
      [1, 3, -1],
      [0, -1, 1],
    ]);
    const x = leaf([0.5, -1, 2]);
    const v = f64([1, -2, 0.5]);
    const f = x.matmul(A).mul(x).sum().mul(0.5).add(x.pow(3).sum());
    const [g] = autogradGrad(f, x, null, { createGraph: true });
    const [hv] = autogradGrad(g!.mul(v).sum(), x);
    const a = [
      [2, 1, 0],
      [1, 3, -1],
      [0, -1, 1],
    ];
    const xs = [0.5, -1, 2];
    const vs = [1, -2, 0.5];
    expectClose(
      hv,
      xs.map((xi, i) => a[i]!.reduce((s, aij, j) => s + aij * vs[j]!, 0) + 6 * xi * vs[i]!),
    );
    expect(gradgradcheck((t) => t.matmul(A).mul(t).sum().mul(0.5).add(t.pow(3).sum()), [rnd([3])])).toBe(
      true,
    );
  });

  it('gradient penalty through a small MLP', () => {
    // D(x) = w2 · tanh(x W1 + b1); penalty = (|dD/dx|^2 - 1)^2, differentiated with respect to the weights.
    const mlp = (x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor) =>
      x.matmul(w1).add(b1).tanh().matmul(w2).sum();
    const penalty = (x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor) => {
      // enableGrad: gradcheck evaluates the function under noGrad for finite differences
      return enableGrad(() => {
        const xi = x.requiresGrad ? x : x.detach().requiresGrad_();
        const [gx] = autogradGrad(mlp(xi, w1, b1, w2), xi, null, { createGraph: true });
        return gx!.square().sum().sub(1).square();
      });
    };
    const x = rnd([2, 3]);
    const w1 = rnd([3, 4]);
    const b1 = rnd([4]);
    const w2 = rnd([4, 1]);
    expect(gradcheck(penalty, [x, w1, b1, w2])).toBe(true);
    const p = penalty(x, w1, b1, w2);
    p.backward();
    expect(w1.grad!.shape).toEqual([3, 4]);
    expect(w2.grad!.shape).toEqual([4, 1]);
    expect(gradgradcheck(mlp, [x, w1, b1, w2])).toBe(true);
  });
});

describe('defineFunction', () => {
  const cube = defineFunction({
    name: 'cube',
    forward(ctx, x: Tensor) {
      ctx.saveForBackward(x);
      return x.pow(3);
    },
    backward(ctx, g) {
      const [x] = ctx.savedTensors;
      return [g.mul(x!.square()).mul(3)];
    },
  });

  it('is used like a built-in op and supports double backward', () => {
    const x = leaf([1, -2]);
    const y = cube(x);
    expect(y.gradFn?.name).toBe('CubeBackward');
    y.sum().backward();
    expectClose(x.grad, [3, 12]);
    expect(gradcheck((t) => cube(t), [rnd([3])])).toBe(true);
    expect(gradgradcheck((t) => cube(t), [rnd([3])])).toBe(true);
  });

  it('several inputs and outputs, non-tensor arguments, needsInputGrad', () => {
    const needs: boolean[][] = [];
    const scaledPair = defineFunction({
      name: 'scaledPair',
      forward(ctx, a: Tensor, b: Tensor, k: number) {
        ctx.k = k;
        ctx.saveForBackward(a, b);
        return [a.mul(b).mul(k), a.add(b)];
      },
      backward(ctx, g1, g2) {
        needs.push([0, 1, 2].map((i) => ctx.needsInputGrad(i)));
        const [a, b] = ctx.savedTensors;
        const k = ctx.k as number;
        return [g1.mul(b!).mul(k).add(g2), g1.mul(a!).mul(k).add(g2), null];
      },
    });
    const a = leaf([1, 2]);
    const b = f64([3, 4]);
    const [p, s] = scaledPair(a, b, 2);
    p!.sum().add(s!.sum().mul(10)).backward();
    expectClose(a.grad, [16, 18]);
    expect(needs).toEqual([[true, false, false]]);
    expect(noGrad(() => scaledPair(a, b, 2)[0]!.requiresGrad)).toBe(false);
  });

  it('errors: wrong number of gradients, saved tensor modified', () => {
    const bad = defineFunction({
      forward: (_ctx, x: Tensor) => x.mul(2),
      backward: (_ctx, g) => [g, g],
    });
    expect(() =>
      bad(leaf([1]))
        .sum()
        .backward(),
    ).toThrow(/backward returned 2 gradients, expected 1/);
    const x = leaf([1, 2]);
    const y = cube(x);
    noGrad(() => x.add_(1));
    expect(() => y.sum().backward()).toThrow(/saved tensor 0 .*saved by 'cube'.*modified by an in-place op/);
  });

  it('gradcheck catches a wrong backward and reports the worst element', () => {
    const wrong = defineFunction({
      name: 'wrongSquare',
      forward: (ctx, x: Tensor) => {
        ctx.saveForBackward(x);
        return x.square();
      },
      backward: (ctx, g) => [g.mul(ctx.savedTensors[0]!).mul(2.2)],
    });
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    expect(() => gradcheck((t) => wrong(t), [x])).toThrow(
      /Jacobian mismatch for output 0 \(shape \[3\]\) with respect to inputs\[0\].*worst at output index \[2\], input index \[2\]: analytic 6\.6\d* vs numerical 6\.0\d*/,
    );
    expect(gradcheck((t) => wrong(t), [x], { raiseException: false })).toBe(false);
    expect(() =>
      gradcheck((t) => t.square(), [tensor([1], { dtype: 'float32', requiresGrad: true })]),
    ).toThrow(/float32; use float64/);
  });
});

describe('checkpoint', () => {
  const block = (x: Tensor, w: Tensor) => x.matmul(w).tanh().matmul(w).sigmoid();

  it('gives the same gradients and keeps no intermediates', async () => {
    const x = rnd([4, 3]);
    const w = rnd([3, 3]);
    block(x, w).sum().backward();
    const gx = x.grad!;
    const gw = w.grad!;
    x.grad = null;
    w.grad = null;
    await collect();
    const before = memory().liveBuffers;
    const y = checkpoint(block, x, w);
    await collect();
    expect(memory().liveBuffers).toBe(before + 1); // only the output
    expect(y.gradFn?.name).toBe('CheckpointBackward');
    y.sum().backward();
    expectClose(x.grad, gx.arraySync());
    expectClose(w.grad, gw.arraySync());
    expect(gradcheck((a, b) => checkpoint(block, a, b), [rnd([2, 3]), rnd([3, 3])])).toBe(true);
    expect(gradgradcheck((a, b) => checkpoint(block, a, b), [rnd([2, 3]), rnd([3, 3])])).toBe(true);
  });

  it('replays the random state (dropout-like masks match)', () => {
    const noisy = (x: Tensor) => x.mul(rand(x.shape, { dtype: 'float64' }).lt(0.5).cast('float64'));
    manualSeed(3);
    const x = rnd([16]);
    const y = checkpoint(noisy, x);
    y.sum().backward();
    expectClose(x.grad, noGrad(() => y.div(x)).arraySync());
  });

  it('dependent inputs are treated as independent variables', () => {
    const a = leaf([2]);
    const b = a.mul(3);
    checkpoint((p: Tensor, q: Tensor) => p.mul(q), a, b)
      .sum()
      .backward();
    // d/da (a * 3a) = 6a
    expectClose(a.grad, [12]);
  });
});

describe('anomaly detection', () => {
  it('names the forward op whose backward produced NaN/Inf', () => {
    const x = leaf([0, 1]);
    expect(isAnomalyEnabled()).toBe(false);
    expect(() => detectAnomaly(() => x.sqrt().sum().backward())).toThrow(
      /anomaly: SqrtBackward \(forward op 'sqrt'\) produced Inf in the gradient of its input 0.*forward op was called at/s,
    );
    expect(isAnomalyEnabled()).toBe(false);
    // without anomaly mode the Inf just propagates
    x.sqrt().sum().backward();
    expect(x.grad!.arraySync()).toEqual([Number.POSITIVE_INFINITY, 0.5]);
    setDetectAnomaly(true);
    try {
      const y = leaf([-1, 4]);
      const z = y.mul(2).sqrt().mul(3).sum(); // NaN first appears in sqrt's gradient
      expect(() => z.backward()).toThrow(
        /SqrtBackward \(forward op 'sqrt'\) produced NaN .*first at flat index 0/s,
      );
    } finally {
      setDetectAnomaly(false);
    }
  });
});
