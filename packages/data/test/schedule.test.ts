import { describe, expect, it } from 'vitest';
import { nextMacrotask } from '../src/index.js';

describe('nextMacrotask', () => {
  it('resolves after the pending microtasks, on a later task', async () => {
    const order: string[] = [];
    const done = nextMacrotask().then(() => order.push('macrotask'));
    // A chain of microtasks queued after the call still runs first.
    void Promise.resolve()
      .then(() => order.push('micro 1'))
      .then(() => order.push('micro 2'))
      .then(() => order.push('micro 3'));
    await done;
    expect(order).toEqual(['micro 1', 'micro 2', 'micro 3', 'macrotask']);
  });

  it('resolves each of several concurrent waits', async () => {
    const results = await Promise.all([nextMacrotask(), nextMacrotask(), nextMacrotask()]);
    expect(results).toEqual([undefined, undefined, undefined]);
  });
});
