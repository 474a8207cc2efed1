// Axis tick labels of the demo's charts.
import { describe, expect, it } from 'vitest';
import { tick, ticks } from '../src/lib/ticks.js';

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
