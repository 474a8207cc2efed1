// mnist() checks what the files hold, not only their format: labels must be classes and images
// must have pixels.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx, MnistDataset, mnist } from '../src/index.js';

describe('mnist() rejects invalid contents', () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-mnist-bad-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Writes a test split of `n` images [rows, cols] with `labels` into a fresh folder. */
  function write(name: string, n: number, rows: number, cols: number, labels: number[]): string {
    const img = new Uint8Array(n * rows * cols).fill(7);
    const folder = mkdtempSync(join(root, `${name}-`));
    writeFileSync(
      join(folder, 't10k-images-idx3-ubyte'),
      encodeIdx({ type: 'uint8', shape: [n, rows, cols], data: img }),
    );
    writeFileSync(
      join(folder, 't10k-labels-idx1-ubyte'),
      encodeIdx({ type: 'uint8', shape: [labels.length], data: Uint8Array.from(labels) }),
    );
    return folder;
  }

  it('rejects labels outside [0, numClasses), naming the file, the index and the value', async () => {
    const folder = write('labels', 3, 2, 2, [1, 12, 3]);
    await expect(mnist({ root: folder, split: 'test' })).rejects.toThrow(
      `mnist: ${folder}/t10k-labels-idx1-ubyte: label 12 at index 1 is not a class in [0, 10) (pass numClasses for datasets with more classes)`,
    );
    const ds = await mnist({ root: folder, split: 'test', numClasses: 13 });
    expect(ds.classCounts()).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    await expect(mnist({ root: folder, split: 'test', numClasses: 0 })).rejects.toThrow(
      'mnist: numClasses must be an integer in [1, 256], got 0',
    );
  });

  it('rejects images with no rows, no columns or no images at all', async () => {
    for (const [n, rows, cols] of [
      [3, 0, 28],
      [3, 28, 0],
      [0, 28, 28],
    ] as const) {
      const folder = write(`empty${n}${rows}${cols}`, n, rows, cols, Array(n).fill(1));
      await expect(mnist({ root: folder, split: 'test' })).rejects.toThrow(
        `mnist: ${folder}/t10k-images-idx3-ubyte holds images of shape [${n},${rows},${cols}]: no pixels to learn from`,
      );
    }
    expect(() => new MnistDataset(new Uint8Array(0), new Uint8Array(2), 0, 28)).toThrow(
      'MnistDataset: images need at least one row and column, got [0,28]',
    );
  });
});
