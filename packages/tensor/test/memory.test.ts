import { add, arange, full, memory, nextStep, ones, type Tensor, tensor, zeros } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// Memory accounting: dispose, `using`, views sharing a buffer, and garbage collection through the
// FinalizationRegistry (tests run with --expose-gc).

const gc = (globalThis as { gc?: () => void }).gc;

/** Collects garbage and lets finalizers run (they are queued as macrotasks after a GC). */
async function collect(until: () => boolean): Promise<void> {
  for (let i = 0; i < 20 && !until(); i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 0));
  }
}

describe('dispose', () => {
  it('frees the buffer when the last view goes, and is idempotent', () => {
    const before = memory();
    const x = zeros([1000]);
    const v = x.reshape(10, 100);
    const after = memory();
    expect(after.liveTensors).toBe(before.liveTensors + 2);
    expect(after.liveBuffers).toBe(before.liveBuffers + 1);
    expect(after.bytes.cpu).toBe((before.bytes.cpu ?? 0) + 4000);
    x.dispose();
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(memory().liveTensors).toBe(before.liveTensors + 1);
    expect(memory().liveBuffers).toBe(before.liveBuffers + 1); // still viewed by v
    expect(v.shape).toEqual([10, 100]);
    expect(v.dataSync().length).toBe(1000);
    v.dispose();
    expect(memory().liveBuffers).toBe(before.liveBuffers);
    expect(memory().bytes.cpu).toBe(before.bytes.cpu ?? 0);
  });

  it('`using` disposes at the end of the block', () => {
    const before = memory().liveTensors;
    let kept: Tensor | undefined;
    {
      using t = ones([4]);
      using u = t.add(t); // (a scalar operand would be one more, GC-managed, tensor)
      kept = t;
      expect(u.arraySync()).toEqual([2, 2, 2, 2]);
      expect(memory().liveTensors).toBe(before + 2);
    }
    expect(kept.isDisposed).toBe(true);
    expect(memory().liveTensors).toBe(before);
  });

  it('counts bytes per dtype', () => {
    const before = memory().bytes.cpu ?? 0;
    const ts = [
      zeros([10], { dtype: 'float64' }),
      zeros([10], { dtype: 'int32' }),
      zeros([10], { dtype: 'bool' }),
    ];
    expect(memory().bytes.cpu).toBe(before + 80 + 40 + 10);
    for (const t of ts) t.dispose();
    expect(memory().bytes.cpu).toBe(before);
  });
});

describe('garbage collection', () => {
  it('tensors dropped without dispose are released by the finalizer', async () => {
    expect(gc).toBeTypeOf('function');
    await collect(() => false); // settle anything from earlier tests
    const baseline = memory();
    (() => {
      let acc = zeros([64]);
      for (let i = 0; i < 300; i++) acc = add(acc, tensor([i], { dtype: 'float32' })).reshape(64);
      // views and intermediates of all kinds
      acc.T.contiguous().slice(0, 1).clone();
    })();
    expect(memory().liveTensors).toBeGreaterThan(baseline.liveTensors);
    await collect(() => memory().liveTensors <= baseline.liveTensors);
    expect(memory().liveTensors).toBe(baseline.liveTensors);
    expect(memory().liveBuffers).toBe(baseline.liveBuffers);
    expect(memory().bytes.cpu).toBe(baseline.bytes.cpu);
  });

  it('a disposed tensor is not counted twice when it is collected later', async () => {
    await collect(() => false);
    const baseline = memory().liveTensors;
    (() => {
      for (let i = 0; i < 50; i++) zeros([8]).dispose();
    })();
    expect(memory().liveTensors).toBe(baseline);
    await collect(() => false);
    expect(memory().liveTensors).toBe(baseline);
  });
});

describe('a loop that never lets the event loop turn', () => {
  // Finalizer reports need a macrotask; past 32,768 undisposed tensors without one, new CPU
  // tensors are not counted (their memory is reclaimed by the GC all the same).
  const CAP = 32768;

  it('stops counting at the cap, keeps every tensor usable, and is exact again afterwards', async () => {
    await collect(() => false);
    const baseline = memory();
    let big: Tensor | null = full([70_000], 3); // 280 KB: recyclable when disposed
    let kept: Tensor | null = null;
    let view: Tensor | null = null;
    (() => {
      for (let i = 0; i < CAP + 1000; i++) zeros([2]).add(1);
      kept = arange(0, 5).mul(2);
      view = big!.reshape(700, 100); // an uncounted view of a counted buffer
    })();
    const during = memory();
    expect(during.untrackedTensors).toBeGreaterThan(baseline.untrackedTensors + 1000);
    expect(during.liveTensors).toBeLessThanOrEqual(baseline.liveTensors + CAP);
    expect(kept!.arraySync()).toEqual([0, 2, 4, 6, 8]);
    // Disposing the counted owner must not recycle an array the uncounted view still reads.
    big!.dispose();
    big = null;
    const other = zeros([70_000]);
    expect(view!.sum().item()).toBe(210_000);
    other.dispose();
    kept!.dispose();
    expect(kept!.isDisposed).toBe(true);
    await collect(() => memory().liveTensors <= baseline.liveTensors);
    kept = null;
    view = null;
    await collect(() => false);
    expect(memory().liveTensors).toBe(baseline.liveTensors);
    expect(memory().liveBuffers).toBe(baseline.liveBuffers);
    expect(memory().bytes.cpu).toBe(baseline.bytes.cpu);
    // Counting has resumed.
    const t = zeros([3]);
    expect(memory().liveTensors).toBe(baseline.liveTensors + 1);
    t.dispose();
  });

  it('disposed tensors leave the counts at once, even past the cap', async () => {
    await collect(() => false);
    const before = memory();
    for (let i = 0; i < CAP * 2; i++) zeros([2]).dispose();
    const after = memory();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.liveBuffers).toBe(before.liveBuffers);
    expect(after.bytes.cpu).toBe(before.bytes.cpu);
    await collect(() => false);
    // Counting resumed once the reports ran.
    const t = zeros([3]);
    expect(memory().liveTensors).toBe(before.liveTensors + 1);
    t.dispose();
  });
});

describe('nextStep', () => {
  it('resolves after a macrotask, which lets finalizer reports run (awaiting a microtask does not)', async () => {
    await collect(() => false);
    const baseline = memory().liveTensors;
    (() => {
      for (let i = 0; i < 100; i++) zeros([4]);
    })();
    expect(memory().liveTensors).toBe(baseline + 100);
    gc!();
    for (let i = 0; i < 10; i++) await null;
    expect(memory().liveTensors).toBe(baseline + 100);
    for (let i = 0; i < 20 && memory().liveTensors > baseline; i++) {
      gc!();
      await nextStep();
    }
    expect(memory().liveTensors).toBe(baseline);
  });
});
