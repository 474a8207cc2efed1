// Quick run of resnet-mnist on a small MNIST subset, and the shapes of its residual blocks.
import { rand, type Tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { itIfAvailable } from '../../tests/repo/requirements.js';
import { BasicBlock } from '../src/lib/residual.js';
import { main, resnet } from '../src/resnet-mnist.js';

describe('resnet-mnist', () => {
  it('a basic block keeps or halves the resolution, with a projected skip when the shape changes', () => {
    const same = new BasicBlock(4, 4);
    const down = new BasicBlock(4, 8, { stride: 2 });
    const x = rand([2, 4, 7, 7]);
    expect(same.call(x).shape).toEqual([2, 4, 7, 7]);
    expect(down.call(x).shape).toEqual([2, 8, 4, 4]);
    expect(Object.keys(down.stateDict())).toContain('shortcut.0.weight');
    expect(Object.keys(same.stateDict()).some((k) => k.startsWith('shortcut'))).toBe(false);
    // ReLU after the addition: never negative.
    expect((same.call(x.sub(0.5)) as Tensor).min().item()).toBeGreaterThanOrEqual(0);
  });

  it('the network maps [N, 1, 28, 28] to 10 logits', () => {
    expect((resnet(4).call(rand([3, 1, 28, 28])) as Tensor).shape).toEqual([3, 10]);
  });

  itIfAvailable('mnist', 'trains on a subset of the MNIST test images', async () => {
    const m = await main({
      progress: false,
      log: () => {},
      epochs: 2,
      width: 8,
      trainSize: 512,
      testSize: 100,
      batchSize: 32,
    });
    // Chance is 10% and a loss of ln 10 = 2.30.
    expect(m.trainLoss).toBeLessThan(2);
    expect(m.testAccuracy).toBeGreaterThan(0.2);
    expect(Number.isFinite(m.testLoss)).toBe(true);
  });

  it('rejects a bad width with a message naming the example', async () => {
    await expect(main({ progress: false, log: () => {}, width: 0 })).rejects.toThrow(
      'resnet-mnist: width must be a positive integer, got 0',
    );
  });
});
