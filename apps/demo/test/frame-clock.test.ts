// The worker side of frame-paced training, with the page's frame count driven by hand.
import { describe, expect, it, vi } from 'vitest';
import { kernelThreads } from '../src/engine/backend.js';
import { FrameGate, LATE_MS, MAX_WAIT_MS } from '../src/engine/frame-clock.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A shared buffer laid out as the page's FrameClock writes it: [frame count, not counting]. */
function clockBuffer(): { buffer: SharedArrayBuffer; ints: Int32Array } {
  const buffer = new SharedArrayBuffer(8);
  return { buffer, ints: new Int32Array(buffer) };
}

/** Starts `gate.pass()` and reports, after the next macrotask, whether it has returned. */
async function passNow(gate: FrameGate): Promise<{ returned: boolean; done: Promise<void> }> {
  let returned = false;
  const done = gate.pass().then(() => {
    returned = true;
  });
  await sleep(0);
  return { returned, done };
}

describe('FrameGate', () => {
  it('never waits without a buffer', async () => {
    const gate = new FrameGate();
    gate.attach(null);
    await sleep(LATE_MS + 10);
    expect((await passNow(gate)).returned).toBe(true);
  });

  it('passes at once while the page draws, and waits for the next frame when it is late', async () => {
    const { buffer, ints } = clockBuffer();
    const gate = new FrameGate();
    gate.attach(buffer);
    // A frame since the last look: no wait, however long ago the last look was.
    await sleep(LATE_MS + 10);
    Atomics.add(ints, 0, 1);
    expect((await passNow(gate)).returned).toBe(true);
    // No frame for longer than LATE_MS: waits until the page draws.
    await sleep(LATE_MS + 10);
    const late = await passNow(gate);
    expect(late.returned).toBe(false);
    Atomics.add(ints, 0, 1);
    Atomics.notify(ints, 0);
    await late.done;
  });

  it('gives up waiting after MAX_WAIT_MS, and never waits while the page does not count frames', async () => {
    const { buffer, ints } = clockBuffer();
    const gate = new FrameGate();
    gate.attach(buffer);
    await sleep(LATE_MS + 10);
    const late = await passNow(gate);
    expect(late.returned).toBe(false);
    await late.done; // no frame ever comes: returns after MAX_WAIT_MS
    expect(MAX_WAIT_MS).toBeLessThan(1000);
    Atomics.store(ints, 1, 1);
    await sleep(LATE_MS + 10);
    expect((await passNow(gate)).returned).toBe(true);
  });
});

describe('kernelThreads', () => {
  it('leaves one logical processor to the page', () => {
    try {
      vi.stubGlobal('navigator', { hardwareConcurrency: 8 });
      expect(kernelThreads()).toBe(7);
      vi.stubGlobal('navigator', { hardwareConcurrency: 2 });
      expect(kernelThreads()).toBe(1);
      vi.stubGlobal('navigator', { hardwareConcurrency: 1 });
      expect(kernelThreads()).toBe(1);
      vi.stubGlobal('navigator', {});
      expect(kernelThreads()).toBe(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
