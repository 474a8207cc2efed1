import { manualSeed, multinomial, tensor } from '@tessera/tensor';
import { beforeAll, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { expectMatch, gpuBackend } from './helpers.js';

// multinomial is built from tensor ops and the Philox stream, so on WebGPU it draws the same
// indices as on the CPU for the same seed (and skips the CPU-only value checks).

describeIfAvailable('webgpu', 'multinomial on WebGPU matches the CPU backend', () => {
  beforeAll(async () => {
    await gpuBackend();
  });

  it('with and without replacement, 1-D and 2-D, same seed same indices', async () => {
    const p = tensor(
      [
        [0.1, 0.2, 0.3, 0.4, 0],
        [2, 0, 1, 1, 4],
      ],
      { dtype: 'float32' },
    );
    const g = p.to('webgpu');
    for (const replacement of [true, false]) {
      manualSeed(11);
      const cpu = multinomial(p, 4, replacement);
      manualSeed(11);
      const gpu = multinomial(g, 4, replacement);
      expect(gpu.device).toBe('webgpu');
      await expectMatch(gpu, cpu, `multinomial replacement=${replacement}`);
    }
    manualSeed(3);
    const cpu1 = multinomial(p.select(0, 1), 3);
    manualSeed(3);
    await expectMatch(multinomial(g.select(0, 1), 3), cpu1, 'multinomial 1-D');
  });
});
