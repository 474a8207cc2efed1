// Quick run of autoencoder-features on a small MNIST subset, and the PNG grid it writes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rand, type Tensor } from '@tessera/tensor';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { itIfAvailable } from '../../tests/repo/requirements.js';
import { autoencoder, main } from '../src/autoencoder-features.js';
import { encodePng, grayGrid } from '../src/lib/image-grid.js';

const tmp = mkdtempSync(join(tmpdir(), 'tessera-ae-features-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('autoencoder-features', () => {
  it('autoencoder maps [N, 1, 28, 28] to [N, 784] in (0, 1), with dropout only when asked', () => {
    const { model, encoder } = autoencoder(16, 0.5);
    expect(encoder.weight.shape).toEqual([16, 784]);
    const y = model.forward(rand([3, 1, 28, 28])) as Tensor;
    expect(y.shape).toEqual([3, 784]);
    expect(y.min().item()).toBeGreaterThan(0);
    expect(y.max().item()).toBeLessThan(1);
    expect([...model.modules()].some((m) => m.constructor.name === 'Dropout')).toBe(true);
    expect([...autoencoder(16, 0).model.modules()].some((m) => m.constructor.name === 'Dropout')).toBe(false);
  });

  it('grayGrid scales each tile to its own range and lays tiles out row by row', () => {
    const img = grayGrid([0, 1, 2, 3, -1, -1, -1, 5], 2, 2, 2, { cols: 2, gap: 1, background: 7 });
    expect([img.width, img.height]).toEqual([7, 4]);
    const row = (y: number) => Array.from(img.pixels.subarray(y * 7, y * 7 + 7));
    expect(row(0)).toEqual([7, 7, 7, 7, 7, 7, 7]);
    expect(row(1)).toEqual([7, 0, 85, 7, 0, 0, 7]);
    expect(row(2)).toEqual([7, 170, 255, 7, 0, 255, 7]);
    expect(() => grayGrid([1, 2, 3], 1, 2, 2)).toThrow('grayGrid: expected 1 tiles of 2x2 (4 values), got 3');
    const png = PNG.sync.read(encodePng(img, 2));
    expect([png.width, png.height]).toEqual([14, 8]);
    expect(png.data[4 * (2 * 14 + 2)]).toBe(0); // the first tile's first pixel, upscaled
  });

  itIfAvailable('mnist', 'trains both autoencoders on a subset and writes both feature grids', async () => {
    const m = await main({
      progress: false,
      log: () => {},
      epochs: 2,
      batchSize: 25,
      lr: 3e-3,
      hidden: 16,
      trainSize: 500,
      testSize: 100,
      outDir: tmp,
    });
    // Predicting a constant 0.5 gives about 0.2; the mean image about 0.1.
    for (const k of ['plainTestMse', 'dropoutTestMse']) {
      expect(m[k]).toBeGreaterThan(0);
      expect(m[k]).toBeLessThan(0.1);
    }
    for (const key of ['plain', 'dropout']) {
      const png = PNG.sync.read(readFileSync(join(tmp, `features-${key}.png`)));
      expect([png.width, png.height]).toEqual([2 * (4 * 29 + 1), 2 * (4 * 29 + 1)]);
    }
  });
});
