import { describe, expect, it } from 'vitest';
import {
  currentOpContext,
  describeOpContextShapes,
  type Tensor,
  tensor,
  withOpContext,
  zeros,
} from '../src/index.js';

describe('withOpContext (the user-level op named by errors that backends report later)', () => {
  it('exposes the name and tensors inside the body, and nothing outside', () => {
    expect(currentOpContext()).toBeNull();
    expect(describeOpContextShapes()).toBeNull();
    const input = zeros([4, 10]);
    const target = tensor([1, 2, 3, 0]);
    const out = withOpContext('crossEntropy', { input, target, weight: undefined }, () => {
      const ctx = currentOpContext();
      expect(ctx?.name).toBe('crossEntropy');
      expect(ctx?.inputs.input).toBe(input);
      expect(describeOpContextShapes()).toBe('input [4,10], target [4]');
      return 42;
    });
    expect(out).toBe(42);
    expect(currentOpContext()).toBeNull();
  });

  it('keeps the outermost context when composites nest', () => {
    const x = zeros([2, 3]);
    const seen = withOpContext('outer', { x }, () =>
      withOpContext('inner', { y: zeros([5]) }, () => [currentOpContext()?.name, describeOpContextShapes()]),
    );
    expect(seen).toEqual(['outer', 'x [2,3]']);
    // A 0-d tensor prints as [].
    expect(withOpContext('scalarOp', { s: tensor(1) }, describeOpContextShapes)).toBe('s []');
    // Non-tensors (bad arguments the op rejects itself) are left out, never crash the description.
    const odd = { n: 3 as unknown as Tensor, t: tensor([1, 2]), none: null };
    expect(withOpContext('odd', odd, describeOpContextShapes)).toBe('t [2]');
  });

  it('restores the state when the body throws, and rethrows the same error', () => {
    const boom = new RangeError('inner: bad');
    expect(() =>
      withOpContext('outer', {}, () => {
        throw boom;
      }),
    ).toThrow(boom);
    expect(currentOpContext()).toBeNull();
    // The next context starts fresh.
    expect(withOpContext('next', {}, () => currentOpContext()?.name)).toBe('next');
  });

  it('rejects a bad name, inputs or body with a clear error', () => {
    const f = () => 1;
    expect(() => withOpContext('', {}, f)).toThrow('withOpContext: name must be a non-empty string, got ');
    expect(() => withOpContext(3 as unknown as string, {}, f)).toThrow(
      /name must be a non-empty string, got 3/,
    );
    expect(() => withOpContext('op', null as unknown as Record<string, never>, f)).toThrow(
      'withOpContext(op): inputs must be an object of named tensors',
    );
    expect(() => withOpContext('op', {}, 5 as unknown as () => number)).toThrow(
      'withOpContext(op): fn must be a function, got number',
    );
    expect(currentOpContext()).toBeNull();
  });
});
