// The display helpers: rates without exponents, English articles before numbers, divergence.
import { describe, expect, it } from 'vitest';
import { article, diverged, divergedMessage, fmtCount } from '../src/lib/format.js';

describe('fmtCount', () => {
  it('writes rates with thousands separators and three significant digits, never an exponent', () => {
    expect(fmtCount(31_415.9)).toBe('31,400');
    expect(fmtCount(4_832)).toBe('4,830');
    expect(fmtCount(1_234_567)).toBe('1,230,000');
    expect(fmtCount(999)).toBe('999');
    expect(fmtCount(22.44)).toBe('22.4');
    expect(fmtCount(0.5)).toBe('0.5');
    expect(fmtCount(0)).toBe('0');
  });

  it('shows a dash for a value that is not finite', () => {
    expect(fmtCount(Number.NaN)).toBe('–');
    expect(fmtCount(Number.POSITIVE_INFINITY)).toBe('–');
  });
});

describe('article', () => {
  it('says "an" before the numbers read with a vowel sound', () => {
    for (const n of [8, 11, 18, 80, 83, 800, 8000, 11_000, 18_500]) expect(article(n), String(n)).toBe('an');
  });

  it('says "a" before the others', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 100, 110, 1100, 1800])
      expect(article(n), String(n)).toBe('a');
  });
});

describe('divergence', () => {
  it('takes NaN and infinite losses as diverged, finite ones (however large) as not', () => {
    expect(diverged(Number.NaN)).toBe(true);
    expect(diverged(Number.POSITIVE_INFINITY)).toBe(true);
    expect(diverged(Number.NEGATIVE_INFINITY)).toBe(true);
    expect(diverged(1e30)).toBe(false);
    expect(diverged(0)).toBe(false);
  });

  it('says where it diverged and to lower the learning rate', () => {
    const m = divergedMessage(1234, 3, 'epoch');
    expect(m).toContain('epoch 1,234');
    expect(m).toContain('learning rate (3)');
    expect(m).toContain('lower it');
  });
});
