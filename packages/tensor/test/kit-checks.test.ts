import {
  checkTensor,
  describeValue,
  formatShape,
  isFloating,
  sameShape,
  Tensor,
  tensor,
  zeros,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// The backend kit's argument checks and shape helpers: the exact wording every op uses.

describe('formatShape and sameShape', () => {
  it('formats shapes as errors print them', () => {
    expect(formatShape([2, 3])).toBe('[2,3]');
    expect(formatShape([])).toBe('[]');
  });

  it('compares shapes element by element', () => {
    expect(sameShape([2, 3], [2, 3])).toBe(true);
    expect(sameShape([2, 3], [3, 2])).toBe(false);
    expect(sameShape([2, 3], [2, 3, 1])).toBe(false);
    expect(sameShape([], [])).toBe(true);
  });
});

describe('isFloating', () => {
  it('is true for float32 and float64 only', () => {
    expect(['float32', 'float64', 'int32', 'bool'].map((d) => isFloating(d as never))).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('describeValue', () => {
  it('describes tensors, arrays, objects and primitives', () => {
    expect(describeValue(zeros([2, 3]))).toBe('tensor of shape [2,3] (float32)');
    expect(describeValue([1])).toBe('an array');
    expect(describeValue({})).toBe('an object');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(1.5)).toBe('number 1.5');
    expect(describeValue('x')).toBe('string x');
  });
});

describe('checkTensor', () => {
  it('returns a live tensor', () => {
    const t = tensor([1, 2]);
    expect(checkTensor('myOp', t)).toBe(t);
    expect(checkTensor('myOp', t)).toBeInstanceOf(Tensor);
  });

  it('names the op and the argument for anything else', () => {
    expect(() => checkTensor('myOp', [1, 2])).toThrow(
      new TypeError('myOp: input must be a tensor, got an array'),
    );
    expect(() => checkTensor('myOp', 3, 'weight')).toThrow(
      new TypeError('myOp: weight must be a tensor, got number 3'),
    );
  });

  it('rejects a disposed tensor', () => {
    const t = zeros([2, 2]);
    t.dispose();
    expect(() => checkTensor('myOp', t)).toThrow('myOp: tensor of shape [2,2] was used after dispose()');
  });
});
