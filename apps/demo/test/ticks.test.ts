// Axis tick labels of the demo's charts.
import { describe, expect, it } from 'vitest';
import { labelWidth, logSplits, tick, ticks } from '../src/lib/ticks.js';

describe('chart tick labels', () => {
  it('keeps short labels when they differ', () => {
    expect(ticks([0, 0.25, 0.5, 0.75, 1], false)).toEqual(['0', '0.25', '0.5', '0.75', '1']);
    expect(ticks([null, 20, 40], false)).toEqual(['', '20', '40']);
  });

  it('adds decimals where short labels of close ticks would repeat', () => {
    expect(ticks([0.7075, 0.708, 0.7085], false)).toEqual(['0.7075', '0.7080', '0.7085']);
    expect(ticks([1.0001, 1.0002], false)).toEqual(['1.0001', '1.0002']);
  });

  it('uses exponents for very small and large values, and on log axes', () => {
    expect(tick(0.0001)).toBe('1e-4');
    expect(tick(200000)).toBe('2e5');
    expect(tick(0)).toBe('0');
    expect(ticks([0.001, 0.01, 0.1, 1], true)).toEqual(['0.001', '0.01', '0.1', '1']);
  });
});

describe('log axis ticks', () => {
  it('puts a tick on every decade when there are few', () => {
    expect(logSplits(0.001, 1)).toEqual([0.001, 0.01, 0.1, 1]);
    expect(logSplits(0.002, 0.5)).toEqual([0.01, 0.1]);
  });

  it('labels every n-th decade of a wide range, at most maxTicks', () => {
    const s = logSplits(1e-10, 1e2, 5);
    expect(s.length).toBeLessThanOrEqual(5);
    expect(s.map((v) => Math.round(Math.log10(v)))).toEqual([-9, -6, -3, 0]);
    expect(logSplits(1e-10, 1, 6).map((v) => Math.round(Math.log10(v)))).toEqual([-10, -8, -6, -4, -2, 0]);
  });

  it('adds 2x and 5x ticks when less than two decades are in view', () => {
    expect(logSplits(150, 1000)).toEqual([200, 500, 1000]);
    expect(logSplits(0.0015, 0.006)).toEqual([0.002, 0.005]);
  });

  it('gives no ticks for a range it cannot place on a log scale', () => {
    expect(logSplits(0, 1)).toEqual([]);
    expect(logSplits(2, 1)).toEqual([]);
    expect(logSplits(2.5, 3)).toEqual([]);
  });
});

describe('label width', () => {
  it('is the widest measured label (empty and missing ones count as nothing)', () => {
    expect(labelWidth(['0.7075', '', null, '1'], (s) => s.length * 6)).toBe(36);
    expect(labelWidth(null, (s) => s.length)).toBe(0);
  });
});
