import { F } from '@tessera/nn';
import { tensor, zeros } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// nn's argument checks are the backend kit's (`checkTensor` of @tessera/tensor): a bad argument is
// worded as the tensor ops word it, and a disposed tensor is reported by the nn op that got it.

describe('nn argument checks', () => {
  it('describe a non-tensor argument as the tensor ops do', () => {
    const w = zeros([2, 3]);
    expect(() => F.linear(3 as never, w)).toThrow(
      new TypeError('linear: input must be a tensor, got number 3'),
    );
    expect(() => F.linear(zeros([1, 3]), {} as never)).toThrow(
      new TypeError('linear: weight must be a tensor, got an object'),
    );
  });

  it('name the nn op when a tensor was disposed', () => {
    const x = tensor([[1, 2, 3]]);
    x.dispose();
    expect(() => F.linear(x, zeros([2, 3]))).toThrow(
      'linear: tensor of shape [1,3] was used after dispose()',
    );
  });
});
