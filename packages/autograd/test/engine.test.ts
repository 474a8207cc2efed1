import { autogradGrad, backward, enableGrad, isGradEnabled, noGrad, setGradEnabled } from '@tessera/autograd';
import { memory, ones, randn, registerOp, runOp, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { collect, expectClose, leaf } from './helpers.js';

describe('recording', () => {
  it('marks results of ops on tensors that require grad', () => {
    const x = leaf([1, 2, 3]);
    const c = tensor([1, 1, 1], { dtype: 'float64' });
    expect(x.requiresGrad).toBe(true);
    expect(x.isLeaf).toBe(true);
    expect(x.gradFn).toBeNull();
    expect(c.requiresGrad).toBe(false);
    const y = x.mul(c);
    expect(y.requiresGrad).toBe(true);
    expect(y.isLeaf).toBe(false);
    expect(y.gradFn?.name).toBe('MulBackward');
    expect(y.gradFn?.op).toBe('mul');
    expect(y.gradFn?.nextFunctions[0]?.[0]?.name).toBe('AccumulateGrad');
    expect(c.add(1).requiresGrad).toBe(false);
    expect(c.add(1).gradFn).toBeNull();
  });

  it('non-float results and non-differentiable ops do not require grad', () => {
    const x = leaf([1, -2, 3]);
    expect(x.gt(0).requiresGrad).toBe(false);
    expect(x.argmax().requiresGrad).toBe(false);
    expect(x.isnan().requiresGrad).toBe(false);
    expect(x.int().requiresGrad).toBe(false);
  });

  it('requiresGrad on integer tensors and on non-leaves is refused', () => {
    expect(() => tensor([1, 2]).requiresGrad_()).toThrow(
      /only floating point tensors can require gradients, got dtype int32/,
    );
    expect(() => tensor([1, 2], { requiresGrad: true })).toThrow(/int32/);
    const y = leaf([1, 2]).mul(2);
    expect(() => {
      y.requiresGrad = false;
    }).toThrow(/only change the flag of leaf tensors.*MulBackward/);
    y.requiresGrad_(true); // already true: allowed
    const z = tensor([1, 2], { dtype: 'float32' });
    z.requiresGrad = true;
    expect(z.requiresGrad).toBe(true);
    z.requiresGrad = false;
    expect(z.requiresGrad).toBe(false);
  });

  it('detach() shares data but not graph state', () => {
    const x = leaf([1, 2]);
    const y = x.mul(3);
    const d = y.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    expect(d.ext).toBeUndefined();
    expect(d.arraySync()).toEqual([3, 6]);
    expect(d.mul(2).requiresGrad).toBe(false);
  });

  it('noGrad / enableGrad / setGradEnabled', () => {
    const x = leaf([1, 2]);
    expect(isGradEnabled()).toBe(true);
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      const inner = enableGrad(() => x.mul(2));
      expect(inner.requiresGrad).toBe(true);
      return x.mul(2);
    });
    expect(y.requiresGrad).toBe(false);
    expect(isGradEnabled()).toBe(true);
    expect(setGradEnabled(false)).toBe(true);
    try {
      expect(x.exp().requiresGrad).toBe(false);
    } finally {
      setGradEnabled(true);
    }
    expect(() => noGrad(() => Promise.resolve(1) as unknown as number)).toThrow(/returned a Promise/);
  });
});

describe('backward', () => {
  it('computes gradients of a simple expression', () => {
    const x = leaf([1, 2, 3]);
    x.mul(x).mul(2).sum().backward();
    expectClose(x.grad, [4, 8, 12]);
    expect(x.grad!.requiresGrad).toBe(false);
    expect(x.grad!.dtype).toBe('float64');
  });

  it('accumulates into .grad until it is cleared', () => {
    const x = leaf([1, 2]);
    x.mul(3).sum().backward();
    x.mul(3).sum().backward();
    expectClose(x.grad, [6, 6]);
    x.grad = null;
    x.mul(x).sum().backward();
    expectClose(x.grad, [2, 4]);
    x.grad!.zero_();
    x.sum().backward();
    expectClose(x.grad, [1, 1]);
  });

  it('diamond graph: paths that meet add up', () => {
    const x = leaf([1, 2]);
    const a = x.mul(2);
    const b = x.mul(3);
    const c = a.mul(b); // 6 x^2
    c.sum().backward();
    expectClose(x.grad, [12, 24]);
  });

  it('a value reused in several branches', () => {
    const x = leaf([0.5, -1]);
    const y = x.exp();
    const z = y.mul(y).add(y.sin()).add(y); // y^2 + sin y + y
    z.sum().backward();
    const xs = [0.5, -1];
    expectClose(
      x.grad,
      xs.map((v) => {
        const e = Math.exp(v);
        return (2 * e + Math.cos(e) + 1) * e;
      }),
    );
  });

  it('the same leaf used twice as an input of one op', () => {
    const x = leaf([3]);
    x.mul(x).sum().backward();
    expectClose(x.grad, [6]);
  });

  it('backward on a leaf itself', () => {
    const x = leaf(2);
    x.backward();
    expectClose(x.grad, 1);
  });

  it('accepts the options as the only argument', () => {
    const x = leaf([1, 2]);
    const y = x.mul(x).sum();
    y.backward({ retainGraph: true });
    y.backward();
    expectClose(x.grad, [4, 8]);
  });

  it('takes an explicit gradient for non-scalar outputs', () => {
    const x = leaf([1, 2]);
    x.mul(x).backward(tensor([1, 10], { dtype: 'float64' }));
    expectClose(x.grad, [2, 40]);
  });

  it('a 100,000-op-deep chain completes without recursion', () => {
    const x = leaf([1, 2, 3, 4]);
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.add(1);
    y.sum().backward();
    expectClose(x.grad, [1, 1, 1, 1]);
  });

  it('retainGrad stores non-leaf gradients; hooks see and replace gradients', () => {
    const x = leaf([1, 2]);
    const y = x.mul(2);
    y.retainGrad();
    expect(y.retainsGrad).toBe(true);
    const seen: number[][] = [];
    const h = y.registerHook((g) => {
      seen.push(g.arraySync() as number[]);
      return g.mul(10);
    });
    const z = y.mul(y).sum();
    z.backward(null, { retainGraph: true });
    expect(seen).toEqual([[4, 8]]);
    expectClose(y.grad, [40, 80]); // the hook ran before retainGrad stored it
    expectClose(x.grad, [80, 160]);
    h.remove();
    x.grad = null;
    y.grad = null;
    z.backward();
    expectClose(x.grad, [8, 16]);
    expect(seen.length).toBe(1);
  });

  it('hooks on leaves run before accumulation', () => {
    const x = leaf([1, 2]);
    x.registerHook((g) => g.neg());
    x.mul(3).sum().backward();
    expectClose(x.grad, [-3, -3]);
    expect(() => tensor([1], { dtype: 'float64' }).registerHook(() => undefined)).toThrow(
      /does not require grad/,
    );
  });

  it('backward with inputs accumulates only into those tensors', () => {
    const a = leaf([1]);
    const b = leaf([2]);
    a.mul(b)
      .sum()
      .backward(undefined, { inputs: [a] });
    expectClose(a.grad, [2]);
    expect(b.grad).toBeNull();
  });

  it('backward with a non-leaf in inputs fills its .grad', () => {
    const a = leaf([1, 2]);
    const h = a.mul(2);
    h.mul(h)
      .sum()
      .backward(undefined, { inputs: [h, a] });
    expectClose(h.grad, [4, 8]);
    expectClose(a.grad, [8, 16]);
  });

  it('functional backward over several roots', () => {
    const x = leaf([1, 2]);
    backward([x.mul(2).sum(), x.mul(x).sum()]);
    expectClose(x.grad, [4, 6]);
  });

  it('mixed dtypes: the gradient comes back in the leaf dtype', () => {
    const x = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const w = tensor([0.5, 0.25], { dtype: 'float64' });
    const y = x.mul(w).sum();
    expect(y.dtype).toBe('float64');
    y.backward();
    expect(x.grad!.dtype).toBe('float32');
    expectClose(x.grad, [0.5, 0.25]);
  });
});

describe('errors', () => {
  it('second backward through a freed graph', () => {
    const x = leaf([1, 2]);
    const y = x.mul(x).sum();
    y.backward();
    expect(() => y.backward()).toThrow(/backward through the graph a second time.*retainGraph/s);
  });

  it('retainGraph allows a second backward', () => {
    const x = leaf([1, 2]);
    const y = x.mul(x).sum();
    y.backward(null, { retainGraph: true });
    y.backward();
    expectClose(x.grad, [4, 8]);
  });

  it('non-scalar output without a gradient', () => {
    const x = leaf([1, 2]);
    expect(() => x.mul(2).backward()).toThrow(/implicitly created only for scalar outputs.*shape \[2\]/);
    expect(() => x.mul(2).backward(ones([3], { dtype: 'float64' }))).toThrow(
      /gradient of shape \[3\] does not match/,
    );
    expect(() => x.mul(2).backward([1, 2] as never)).toThrow(/gradient must be a tensor/);
  });

  it('backward on a tensor that does not require grad', () => {
    expect(() => tensor([1], { dtype: 'float64' }).sum().backward()).toThrow(
      /does not require grad and has no gradFn/,
    );
  });

  it('in-place op on a tensor that requires grad, allowed under noGrad', () => {
    const w = leaf([1, 2]);
    expect(() => w.add_(1)).toThrow(/add_: in-place op on a tensor that requires grad.*noGrad/);
    expect(() => w.mul(2).mul_(2)).toThrow(/mul_: in-place op/);
    expect(() => tensor([0, 0], { dtype: 'float64' }).copy_(w)).toThrow(/copy_: in-place op/);
    noGrad(() => w.add_(1));
    expectClose(w, [2, 3]);
    w.detach().sub_(1);
    expectClose(w, [1, 2]);
    expect(w.requiresGrad).toBe(true);
  });

  it('a saved tensor modified in place is detected at backward', () => {
    const w = leaf([1, 2]);
    const y = w.mul(w).sum();
    noGrad(() => w.add_(1));
    expect(() => y.backward()).toThrow(
      /saved by 'mul' for backward was modified by an in-place op.*version 0 -> 1/,
    );
    const x = leaf([1, 2]);
    const a = x.add(1);
    const z = a.sum();
    noGrad(() => a.mul_(2));
    expect(() => z.backward()).not.toThrow(); // add and sum save nothing
    expectClose(x.grad, [1, 1]);
    const x2 = leaf([1, 2]);
    const e2 = x2.exp();
    const z2 = e2.sum();
    noGrad(() => e2.detach().mul_(2)); // a view shares the buffer's version counter
    expect(() => z2.backward()).toThrow(/output 0 of shape \[2\] \(float64\) saved by 'exp'/);
  });

  it('ops without a gradient rule throw instead of dropping gradients', () => {
    const x = leaf([1, 2]);
    // declared differentiable, but no rule is registered for it
    const mystery = registerOp({ name: 'mysteryOp', kind: 'unary', doc: 'x' }, { cpu: (v) => v });
    expect(() => runOp(mystery, [x], {}, () => x.detach().clone())).toThrow(
      /no gradient rule for op 'mysteryOp'/,
    );
    // ... but are fine without grad
    expect(noGrad(() => runOp(mystery, [x], {}, () => x.detach().clone())).arraySync()).toEqual([1, 2]);
  });

  it('autogradGrad: unused inputs need allowUnused', () => {
    const a = leaf([1]);
    const b = leaf([2]);
    const y = a.mul(3).sum();
    expect(() => autogradGrad(y, [a, b], null, { retainGraph: true })).toThrow(
      /inputs\[1\].*not used.*allowUnused/,
    );
    const [ga, gb] = autogradGrad(y, [a, b], null, { allowUnused: true });
    expectClose(ga, [3]);
    expect(gb).toBeNull();
    expect(a.grad).toBeNull();
  });

  it('grad assignment is checked', () => {
    const x = leaf([1, 2]);
    expect(() => {
      x.grad = ones([3], { dtype: 'float64' });
    }).toThrow(/shape \[3\].*shape \[2\]/);
    expect(() => {
      x.grad = ones([2], { dtype: 'float32' });
    }).toThrow(/dtype float32/);
  });
});

describe('autogradGrad', () => {
  it('returns gradients without touching .grad, also of non-leaves', () => {
    const x = leaf([1, 2]);
    const h = x.mul(x);
    const y = h.mul(3).sum();
    const [gx, gh] = autogradGrad(y, [x, h]);
    expectClose(gx, [6, 12]);
    expectClose(gh, [3, 3]);
    expect(x.grad).toBeNull();
  });

  it('createGraph gives differentiable gradients (x^3 → 6x)', () => {
    const x = leaf([2, -1]);
    const y = x.pow(3).sum();
    const [g] = autogradGrad(y, x, null, { createGraph: true });
    expectClose(g, [12, 3]);
    expect(g!.requiresGrad).toBe(true);
    const [g2] = autogradGrad(g!.sum(), x);
    expectClose(g2, [12, -6]);
  });
});

describe('memory', () => {
  it('returns to baseline after backward', async () => {
    const w1 = randn([8, 8], { dtype: 'float64', requiresGrad: true });
    const w2 = randn([8, 8], { dtype: 'float64', requiresGrad: true });
    const x = randn([4, 8], { dtype: 'float64' });
    await collect();
    const before = memory().liveBuffers;
    let loss = x.mul(w1.sum(0)).relu().mul(w2.sum(1)).tanh().square().sum();
    loss.backward();
    await collect();
    // Left: the loss itself and one gradient per weight; every intermediate and saved tensor is gone.
    expect(memory().liveBuffers).toBe(before + 3);
    loss = undefined as never;
    w1.grad = null;
    w2.grad = null;
    await collect();
    expect(memory().liveBuffers).toBe(before);
  });
});
