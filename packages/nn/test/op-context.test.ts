import { currentOpContext, getOpObserver, setOpObserver, tensor, zeros } from '@tessera/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { F } from '../src/index.js';

// Composites that take user indices run their body as the user-level op, so a backend that
// reports a bad index later (the GPU) names them and their shapes (see withOpContext).
describe('nn composites set the user-level op context', () => {
  const prev = getOpObserver();
  afterEach(() => {
    setOpObserver(prev);
  });

  /** Runs `f` and returns the context seen by each internal op, as 'op<-context'. */
  function contexts(f: () => unknown): string[] {
    const seen: string[] = [];
    setOpObserver({
      run(call, compute) {
        seen.push(`${call.name}<-${currentOpContext()?.name ?? 'none'}`);
        return compute();
      },
    });
    f();
    setOpObserver(prev);
    return seen;
  }

  it('crossEntropy and nllLoss name themselves around their internal gather', () => {
    const input = zeros([4, 10]);
    const target = tensor([1, 2, 3, 0]);
    const ce = contexts(() => F.crossEntropy(input, target));
    expect(ce).toContain('gather<-crossEntropy');
    expect(ce.every((s) => s.endsWith('<-crossEntropy'))).toBe(true);
    const nll = contexts(() => F.nllLoss(input.logSoftmax(1), target, { weight: zeros([10]).add(1) }));
    expect(nll).toContain('gather<-nllLoss');
    expect(nll).toContain('indexSelect<-nllLoss');
    expect(currentOpContext()).toBeNull();
  });

  it('embedding names itself around its indexSelect; ops outside see no context', () => {
    const seen = contexts(() => {
      F.embedding(tensor([[1, 2]]), zeros([5, 3]));
      zeros([2]).add(1);
    });
    expect(seen).toContain('indexSelect<-embedding');
    expect(seen.at(-1)).toBe('add<-none');
  });

  it('CPU errors still name the user-level op and its shapes', () => {
    expect(() => F.crossEntropy(zeros([4, 10]), tensor([1, 12, 3, 0]))).toThrow(
      'crossEntropy: target class index 12 is out of range for 10 classes (input [4,10], target [4])',
    );
    expect(() => F.embedding(tensor([1, 11]), zeros([10, 4]))).toThrow(
      /^embedding: index 11 is out of range/,
    );
    expect(currentOpContext()).toBeNull();
  });
});
