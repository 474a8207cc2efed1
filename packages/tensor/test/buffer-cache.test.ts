import { cpuBufferCacheBytes, ones, setCpuBufferCacheLimit, zeros } from '@tessera/tensor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// The CPU backend's cache of disposed arrays (cpu/buffer.ts): what it keeps, that reuse gives
// correct contents, and its byte limit.

let limit = 0;
beforeEach(() => {
  // Start from an empty cache with the default limit.
  limit = setCpuBufferCacheLimit(0);
  setCpuBufferCacheLimit(limit);
});
afterEach(() => {
  setCpuBufferCacheLimit(limit);
});

describe('CPU buffer cache', () => {
  it('keeps the array of a disposed medium-sized tensor and reuses it, zeroed, for the next one', () => {
    // 1000 float32 elements: 4000 bytes, above the small-array slabs.
    ones([1000]).dispose();
    expect(cpuBufferCacheBytes()).toBe(4000);
    const z = zeros([1000]);
    expect(cpuBufferCacheBytes()).toBe(0);
    expect(Array.from(z.dataSync()).every((v) => v === 0)).toBe(true);
  });

  it('matches arrays by dtype and length', () => {
    ones([1000]).dispose();
    const other = zeros([1000], { dtype: 'int32' });
    const longer = zeros([1001]);
    expect(cpuBufferCacheBytes()).toBe(4000);
    other.dispose();
    longer.dispose();
    expect(cpuBufferCacheBytes()).toBe(4000 + 4000 + 4004);
  });

  it('leaves small arrays to the heap', () => {
    ones([200]).dispose(); // 800 bytes: carved out of a shared slab
    ones([8]).dispose(); // 32 bytes: on V8's heap
    expect(cpuBufferCacheBytes()).toBe(0);
  });

  it('never holds more than its limit, and a lower limit drops what is over it', () => {
    setCpuBufferCacheLimit(10_000);
    for (let i = 0; i < 4; i++) ones([1000]).dispose();
    // Each dispose caches the array just freed, and each ones() takes it back: one at a time.
    expect(cpuBufferCacheBytes()).toBe(4000);
    const kept = [ones([1000]), ones([1000]), ones([1000])];
    for (const t of kept) t.dispose();
    expect(cpuBufferCacheBytes()).toBe(8000);
    setCpuBufferCacheLimit(5000);
    expect(cpuBufferCacheBytes()).toBe(4000);
    expect(() => setCpuBufferCacheLimit(-1)).toThrow(
      /setCpuBufferCacheLimit: expected a non-negative byte count, got -1/,
    );
  });
});
