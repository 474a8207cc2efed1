// Quick run of tiny-decoder, and its bracket language, tokens and sampler.
import { tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import {
  BOS,
  bracketStrings,
  decode,
  EOS,
  encode,
  isBalanced,
  main,
  nextTokenProbs,
  PAD,
} from '../src/tiny-decoder.js';

describe('tiny-decoder', () => {
  it('generates balanced strings of 1 to maxPairs pairs, and tells balanced from not', () => {
    const ss = bracketStrings(200, 4, 1);
    expect(ss.every(isBalanced)).toBe(true);
    expect(new Set(ss.map((s) => s.length))).toEqual(new Set([2, 4, 6, 8]));
    expect(ss.some((s) => s.includes('[')) && ss.some((s) => s.includes('('))).toBe(true);
    for (const bad of ['', '(', ')(', '(]', '([)]', '[[]', 'a']) expect(isBalanced(bad)).toBe(false);
    for (const good of ['()', '[()]', '()[]', '[[]()]']) expect(isBalanced(good)).toBe(true);
  });

  it('encodes with BOS, EOS and padding, and decodes back', () => {
    const ids = encode('([])', 8);
    expect(ids).toEqual([BOS, 3, 5, 6, 4, EOS, PAD, PAD]);
    expect(decode(ids.slice(1))).toBe('([])');
    expect(decode([3, 4])).toBeNull();
    expect(() => encode('()()', 5)).toThrow("tiny-decoder: '()()' needs 6 tokens, more than 5");
  });

  it('nextTokenProbs sharpens below temperature 1 and flattens above it', async () => {
    const logits = tensor([[2, 1, 0]]);
    const p = async (t: number) => Array.from(await nextTokenProbs(logits, t).data());
    const [cold, one, hot] = [await p(0.5), await p(1), await p(2)];
    expect(one[0]).toBeCloseTo(Math.exp(2) / (Math.exp(2) + Math.exp(1) + 1), 6);
    expect(cold[0]).toBeGreaterThan(one[0]!);
    expect(hot[0]).toBeLessThan(one[0]!);
    expect(() => nextTokenProbs(logits, 0)).toThrow('tiny-decoder: temperature must be positive, got 0');
  });

  it('trains briefly and samples at every temperature', async () => {
    const m = await main({
      progress: false,
      log: () => {},
      epochs: 2,
      trainSize: 512,
      maxPairs: 3,
      dModel: 16,
      samples: 50,
    });
    // Uniform guessing over 7 tokens scores ln 7 = 1.95.
    expect(m.testLoss).toBeLessThan(1.6);
    for (const k of ['validShareT0.5', 'validShareT1', 'validShareT1.5']) {
      expect(m[k]).toBeGreaterThanOrEqual(0);
      expect(m[k]).toBeLessThanOrEqual(1);
    }
  });
});
