import { arange, tensor, zeros } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// Printouts compared with what PyTorch 2.x prints for the same data (its body, before the
// shape/dtype/device tail this library always adds).

const body = (t: { toString(): string }): string => {
  const s = String(t);
  return s.slice(0, s.lastIndexOf(', shape='));
};

describe('toString', () => {
  it('prints floats with 4 decimals, integers-valued floats with a dot, and the tail', () => {
    expect(String(tensor([1.5, 2]))).toBe('tensor([1.5000, 2.0000], shape=[2], dtype=float32, device=cpu)');
    expect(body(tensor([1, 2], { dtype: 'float32' }))).toBe('tensor([1., 2.]');
    expect(body(tensor([-1.5, 2.25]))).toBe('tensor([-1.5000,  2.2500]');
    expect(String(tensor(3.5))).toBe('tensor(3.5000, shape=[], dtype=float32, device=cpu)');
    expect(body(zeros([2]))).toBe('tensor([0., 0.]');
  });

  it('aligns rows and indents nested dims', () => {
    expect(
      body(
        tensor(
          [
            [1, 2],
            [3, 4],
          ],
          { dtype: 'float32' },
        ),
      ),
    ).toBe('tensor([[1., 2.],\n        [3., 4.]]');
    expect(body(zeros([2, 2, 2]))).toBe(
      'tensor([[[0., 0.],\n         [0., 0.]],\n\n        [[0., 0.],\n         [0., 0.]]]',
    );
  });

  it('prints ints, bools, 0-d and empty tensors', () => {
    expect(body(tensor([1, -20, 300]))).toBe('tensor([  1, -20, 300]');
    expect(body(tensor([true, false]))).toBe('tensor([ True, False]');
    expect(String(tensor(7))).toBe('tensor(7, shape=[], dtype=int32, device=cpu)');
    expect(String(zeros([0]))).toBe('tensor([], shape=[0], dtype=float32, device=cpu)');
    expect(String(zeros([2, 0], { dtype: 'int32' }))).toBe(
      'tensor([], shape=[2,0], dtype=int32, device=cpu)',
    );
  });

  it('switches to scientific notation like PyTorch', () => {
    expect(body(tensor([1e-5, 1]))).toBe('tensor([1.0000e-05, 1.0000e+00]');
    expect(body(tensor([1, 2000], { dtype: 'float32' }))).toBe('tensor([1.0000e+00, 2.0000e+03]');
    expect(body(tensor([1e9], { dtype: 'float64' }))).toBe('tensor([1.0000e+09]');
    expect(body(tensor([123.456, 0.5]))).toBe('tensor([123.4560,   0.5000]');
  });

  it('prints nan and inf within the common width', () => {
    expect(body(tensor([Number.NaN, Number.POSITIVE_INFINITY, 1.5]))).toBe('tensor([   nan,    inf, 1.5000]');
    expect(body(tensor([Number.NEGATIVE_INFINITY, 2], { dtype: 'float32' }))).toBe('tensor([-inf, 2.]');
  });

  it('wraps long rows at 80 characters', () => {
    expect(body(arange(30, { dtype: 'float32' }))).toBe(
      'tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n' +
        '        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n' +
        '        28., 29.]',
    );
  });

  it('summarises tensors of more than 1000 elements', () => {
    expect(body(arange(1000, 3000, { dtype: 'float32' }))).toBe(
      'tensor([1000., 1001., 1002.,  ..., 2997., 2998., 2999.]',
    );
    // max/min > 1000 among the shown values: scientific, wrapped at 6 items per line.
    expect(body(arange(2000, { dtype: 'float32' }))).toBe(
      'tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03]',
    );
    expect(String(arange(10000).reshape(100, 100))).toBe(
      [
        'tensor([[   0,    1,    2,  ...,   97,   98,   99],',
        '        [ 100,  101,  102,  ...,  197,  198,  199],',
        '        [ 200,  201,  202,  ...,  297,  298,  299],',
        '        ...,',
        '        [9700, 9701, 9702,  ..., 9797, 9798, 9799],',
        '        [9800, 9801, 9802,  ..., 9897, 9898, 9899],',
        '        [9900, 9901, 9902,  ..., 9997, 9998, 9999]], shape=[100,100], dtype=int32, device=cpu)',
      ].join('\n'),
    );
    expect(body(arange(1000))).toContain('999]'); // exactly 1000 elements: not summarised
    expect(body(arange(1000))).not.toContain('...');
  });

  it('prints views in logical order and disposed tensors without throwing', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(body(x.T)).toBe('tensor([[1, 3],\n        [2, 4]]');
    x.dispose();
    expect(String(x)).toBe('tensor(<disposed>, shape=[2,2], dtype=int32)');
  });
});
