// Quick run of conv-autoencoder on a small MNIST subset, and the PNGs it writes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rand, type Tensor } from '@tessera/tensor';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { itIfAvailable } from '../../tests/repo/requirements.js';
import { ConvAutoencoder, main } from '../src/conv-autoencoder.js';

const tmp = mkdtempSync(join(tmpdir(), 'tessera-conv-ae-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('conv-autoencoder', () => {
  it('encodes [N, 1, 28, 28] to [N, 2] and decodes back to pixels in (0, 1)', () => {
    const ae = new ConvAutoencoder(4);
    const x = rand([3, 1, 28, 28]);
    expect((ae.encoder.call(x) as Tensor).shape).toEqual([3, 2]);
    const y = ae.call(x) as Tensor;
    expect(y.shape).toEqual([3, 1, 28, 28]);
    expect(y.min().item()).toBeGreaterThan(0);
    expect(y.max().item()).toBeLessThan(1);
  });

  itIfAvailable(
    'mnist',
    'trains on a subset and writes the reconstructions and the latent grid',
    async () => {
      const m = await main({
        progress: false,
        log: () => {},
        epochs: 2,
        width: 4,
        gridSize: 5,
        trainSize: 512,
        testSize: 100,
        batchSize: 32,
        outDir: tmp,
      });
      // A constant 0.5 scores ln 2 = 0.69 BCE; the mean image about 0.3.
      expect(m.testBce).toBeLessThan(0.6);
      expect(m.testMse).toBeGreaterThan(0);
      const recon = PNG.sync.read(readFileSync(join(tmp, 'reconstructions.png')));
      expect([recon.width, recon.height]).toEqual([3 * (10 * 29 + 1), 3 * (2 * 29 + 1)]);
      const grid = PNG.sync.read(readFileSync(join(tmp, 'latent-grid.png')));
      expect([grid.width, grid.height]).toEqual([2 * (5 * 29 + 1), 2 * (5 * 29 + 1)]);
    },
  );
});
