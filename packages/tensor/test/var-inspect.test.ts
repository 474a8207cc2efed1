import { inspect } from 'node:util';
import { std, tensor, variance } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

const x = tensor(
  [
    [1, 2, 4],
    [3, 7, 8],
  ],
  { dtype: 'float64' },
);

function close(got: ArrayLike<number>, want: number[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 12);
}

// Reference values: torch.tensor([[1,2,4],[3,7,8]], dtype=torch.float64), PyTorch 1.13.
describe("var/std accept PyTorch's positional forms", () => {
  it('var(dim, unbiased) is the biased variance when unbiased is false', () => {
    close(x.var(1, false).dataSync(), [14 / 9, 14 / 3]);
    close(x.var(1, true).dataSync(), [7 / 3, 7]);
    expect(x.var(1, { correction: 0 }).arraySync()).toEqual(x.var(1, false).arraySync());
  });

  it('var(dim, unbiased, keepdim) keeps the dim', () => {
    const s = x.std(0, true, true);
    expect(s.shape).toEqual([1, 3]);
    close(s.dataSync(), [Math.SQRT2, Math.sqrt(12.5), Math.sqrt(8)]);
    expect(std(x, 0, false, true).shape).toEqual([1, 3]);
    expect(variance(x, [0, 1], false, false).item()).toBeCloseTo(233 / 36, 12);
  });

  it('var(unbiased) reduces over all dims', () => {
    expect(x.var(false).item()).toBeCloseTo(233 / 36, 12);
    expect(x.var(true).item()).toBeCloseTo(233 / 30, 12);
    expect(x.std(false).item()).toBeCloseTo(Math.sqrt(233 / 36), 12);
  });

  it('rejects a number in the place of unbiased instead of guessing', () => {
    expect(() => x.std(0, 1 as never, true)).toThrow(
      'std: the second argument must be unbiased (a boolean) or options { correction, keepdim }, got number 1; for a correction write std(dim, { correction: 1 })',
    );
    expect(() => x.var(0, { keepdim: true }, true)).toThrow(
      'var: keepdim given both in the options and as a third argument',
    );
    expect(() => x.var(0, undefined, true)).toThrow(
      'var: keepdim given without unbiased; write var(dim, { keepdim })',
    );
    expect(() => x.var(true, undefined, true)).toThrow('var: var(unbiased) takes no further arguments');
    expect(() => x.var(0, true, 1 as never)).toThrow('var: keepdim must be a boolean, got number 1');
  });

  it('checks the options object', () => {
    expect(() => x.var(0, { unbiased: false } as never)).toThrow("var: unknown option 'unbiased'");
    expect(() => x.std(0, { keep_dim: true } as never)).toThrow("did you mean 'keepdim'?");
  });
});

describe('printing and tolist', () => {
  it('console.log / util.inspect print like String(t), without internals', () => {
    const t = tensor([1.5, 2]);
    expect(inspect(t)).toBe(String(t));
    expect(inspect({ a: t })).toContain('tensor([1.5000, 2.0000], shape=[2], dtype=float32, device=cpu)');
    expect(inspect(t)).not.toContain('_storage');
  });

  it('a disposed tensor still prints', () => {
    const t = tensor([1, 2]);
    t.dispose();
    expect(inspect(t)).toBe('tensor(<disposed>, shape=[2], dtype=int32)');
  });

  it('tolist() is arraySync()', () => {
    expect(x.tolist()).toEqual([
      [1, 2, 4],
      [3, 7, 8],
    ]);
    expect(tensor(true).tolist()).toBe(true);
  });
});
