import { memory, randn, type Tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import '../src/index.js';

// What a graph saved for backward is released by backward() itself, at once, as PyTorch frees
// saved tensors: no finalizer and no event-loop turn involved. With retainGraph it is kept, and a
// second backward through a released graph raises PyTorch's error.

function step(): { loss: Tensor; w: Tensor } {
  const w = randn([8, 8], { requiresGrad: true });
  const x = randn([4, 8]);
  const loss = x.matmul(w).tanh().mul(x.sum()).square().sum();
  return { loss, w };
}

describe('saved tensors', () => {
  it('are released synchronously by backward(), and kept with retainGraph', () => {
    const kept = step();
    let before = memory().liveTensors;
    kept.loss.backward(null, { retainGraph: true });
    // + w.grad and the rules' temporaries (left to the GC); the saved tensors are still held.
    const retainedDelta = memory().liveTensors - before;

    const freed = step();
    before = memory().liveTensors;
    freed.loss.backward();
    const releasedDelta = memory().liveTensors - before; // the same, less the saved tensors
    expect(freed.w.grad).not.toBeNull();
    // matmul saved x and w, tanh its output, mul its inputs, square its input.
    expect(retainedDelta - releasedDelta).toBeGreaterThanOrEqual(5);

    // The retained graph releases on its next backward without retainGraph (which accumulates
    // into the existing w.grad in place: one tensor fewer than a first backward).
    before = memory().liveTensors;
    kept.loss.backward();
    expect(memory().liveTensors - before).toBe(releasedDelta - 1);
  });

  it('a second backward through a released graph raises PyTorch error, naming retainGraph', () => {
    const { loss } = step();
    loss.backward();
    expect(() => loss.backward()).toThrow(
      /trying to backward through the graph a second time.*saved tensors were freed by the previous backward.*retainGraph: true/s,
    );
  });
});
