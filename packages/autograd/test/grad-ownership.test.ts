import { gradcheck, gradgradcheck } from '@tessera/autograd';
import { manualSeed, randn, type Tensor, tensor, thresholdBackward } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { expectClose, leaf } from './helpers.js';

// The engine disposes gradients it created once they are consumed and hands a leaf its first
// gradient without a copy when nothing else holds it. These tests check that no gradient anyone
// can still see is disposed or shared between leaves.

describe('gradient ownership in backward', () => {
  it('a gradient routed to two leaves becomes two independent .grad tensors', () => {
    const a = leaf([1, 2]);
    const b = leaf([3, 4]);
    // mul's rule makes a new gradient; add's passes that same tensor to both leaves.
    a.add(b).mul(2).sum().backward();
    expect(a.grad).not.toBe(b.grad);
    expectClose(a.grad, [2, 2]);
    expectClose(b.grad, [2, 2]);
    a.grad!.add_(1);
    expectClose(b.grad, [2, 2]);
  });

  it('the same leaf used twice accumulates both paths', () => {
    const x = leaf([1, 2, 3]);
    x.mul(3).add(x.mul(x)).sum().backward();
    expectClose(x.grad, [5, 7, 9]);
    x.mul(2).sum().backward();
    expectClose(x.grad, [7, 9, 11]);
  });

  it('gradients seen by hooks, retainGrad and the caller stay usable', () => {
    const x = leaf([1, -2, 3]);
    const seen: Tensor[] = [];
    const h = x.mul(2);
    h.retainGrad();
    h.registerHook((g) => {
      seen.push(g);
      return undefined;
    });
    const y = h.relu();
    const g0 = tensor([1, 1, 1], { dtype: 'float64' });
    y.backward(g0);
    expect(g0.isDisposed).toBe(false);
    expect(seen[0]!.isDisposed).toBe(false);
    expectClose(seen[0], [1, 0, 1]);
    expectClose(h.grad, [1, 0, 1]);
    expectClose(x.grad, [2, 0, 2]);
  });

  it('a leaf whose gradient is the caller-provided tensor gets a copy', () => {
    const x = leaf([1, 2]);
    const g = tensor([5, 6], { dtype: 'float64' });
    x.backward(g);
    expect(x.grad).not.toBe(g);
    x.grad!.add_(1);
    expectClose(g, [5, 6]);
  });

  it('the weight of x @ w.mT gets a contiguous gradient equal to g^T x', () => {
    manualSeed(3);
    const x = randn([4, 3], { dtype: 'float64' });
    const w = randn([5, 3], { dtype: 'float64', requiresGrad: true });
    const g = randn([4, 5], { dtype: 'float64' });
    x.matmul(w.mT).backward(g);
    expect(w.grad!.isContiguous()).toBe(true);
    expectClose(w.grad, g.mT.matmul(x).arraySync());
    // A transposed first operand: the gradient of its base is (g w)^T, contiguous too.
    const xt = randn([3, 4], { dtype: 'float64', requiresGrad: true });
    xt.mT.matmul(w.detach().mT).backward(g);
    expect(xt.grad!.isContiguous()).toBe(true);
    expectClose(xt.grad, g.matmul(w.detach()).mT.arraySync());
  });

  it('matmul with transposed operands passes gradcheck and gradgradcheck', () => {
    manualSeed(5);
    const a = randn([3, 4], { dtype: 'float64', requiresGrad: true });
    const b = randn([2, 4], { dtype: 'float64', requiresGrad: true });
    const c = randn([4, 2], { dtype: 'float64', requiresGrad: true });
    const second = (p: Tensor, q: Tensor) => p.matmul(q.mT);
    const first = (p: Tensor, q: Tensor) => p.mT.matmul(q);
    expect(gradcheck(second, [a, b])).toBe(true);
    expect(gradgradcheck(second, [a, b])).toBe(true);
    expect(gradcheck(first, [a.mT.contiguous(), c])).toBe(true);
    expect(gradgradcheck(first, [a.mT.contiguous(), c])).toBe(true);
  });
});

describe('thresholdBackward', () => {
  it('is relu’s gradient: zero where the output is <= 0, the incoming gradient elsewhere', () => {
    const x = leaf([-1, 0, 2, 3]);
    x.relu()
      .mul(tensor([1, 2, 3, 4], { dtype: 'float64' }))
      .sum()
      .backward();
    expectClose(x.grad, [0, 0, 3, 4]);
  });

  it('is differentiable in its gradient input (relu double backward)', () => {
    manualSeed(7);
    const g = randn([3, 4], { dtype: 'float64', requiresGrad: true });
    const y = randn([3, 4], { dtype: 'float64' });
    expect(gradcheck((t: Tensor) => thresholdBackward(t, y, 0.1), [g])).toBe(true);
    expect(gradgradcheck((t: Tensor) => thresholdBackward(t, y, 0.1), [g])).toBe(true);
    const x = randn([5], { dtype: 'float64', requiresGrad: true });
    expect(gradgradcheck((t: Tensor) => t.relu().square(), [x])).toBe(true);
  });

  it('gives the mask input no gradient', () => {
    const g = leaf([1, 2]);
    const y = leaf([1, -1]);
    thresholdBackward(g, y, 0).sum().backward();
    expectClose(g.grad, [1, 0]);
    expect(y.grad).toBeNull();
  });
});
