import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  downloadMnist,
  hasTrainFiles,
  loadMnist,
  SHARED_MNIST_DIR,
  selectMnist,
} from '../src/lib/mnist-data.js';

const tmp = mkdtempSync(join(tmpdir(), 'tessera-mnist-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const IMAGES = 't10k-images-idx3-ubyte.gz';
const LABELS = 't10k-labels-idx1-ubyte.gz';

function counts(labels: Uint8Array): number[] {
  const c = new Array(10).fill(0);
  for (const l of labels) c[l]++;
  return c;
}

describe('loadMnist', () => {
  it('splits the shared 10,000 test images 8,000 / 2,000, the same way every time', async () => {
    const a = await loadMnist();
    const b = await loadMnist();
    expect(a.train.length).toBe(8000);
    expect(a.test.length).toBe(2000);
    expect(a.description).toContain(`split 8000 / 2000`);
    expect(b.test.labels).toEqual(a.test.labels);
    // (Buffer comparison: toEqual on 1.5 million bytes is slow.)
    expect(Buffer.from(b.test.images).equals(Buffer.from(a.test.images))).toBe(true);
    // Together the two parts hold every image once: the class counts of the shared set.
    const total = counts(a.train.labels).map((c, i) => c + counts(a.test.labels)[i]!);
    expect(total).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('takes the first trainSize / testSize images for quick runs', async () => {
    const full = await loadMnist();
    const small = await loadMnist({ trainSize: 100, testSize: 10 });
    expect(small.train.length).toBe(100);
    expect(small.test.length).toBe(10);
    expect(small.test.labels).toEqual(full.test.labels.subarray(0, 10));
  });

  it('uses the official train/test files when the folder has them', async () => {
    const dir = join(tmp, 'full');
    mkdirSync(dir);
    for (const [from, to] of [
      [IMAGES, 'train-images-idx3-ubyte.gz'],
      [LABELS, 'train-labels-idx1-ubyte.gz'],
      [IMAGES, IMAGES],
      [LABELS, LABELS],
    ] as const) {
      symlinkSync(join(SHARED_MNIST_DIR, from), join(dir, to));
    }
    expect(hasTrainFiles(dir)).toBe(true);
    expect(hasTrainFiles(SHARED_MNIST_DIR)).toBe(false);
    const d = await loadMnist({ dataDir: dir });
    expect(d.train.length).toBe(10000);
    expect(d.test.length).toBe(10000);
    expect(d.description).toBe(`MNIST train/test files in ${dir}`);
  });

  it('says which files are missing in a folder without MNIST', async () => {
    const dir = join(tmp, 'empty');
    mkdirSync(dir);
    await expect(loadMnist({ dataDir: dir })).rejects.toThrow(/t10k-images-idx3-ubyte\(\.gz\) not found/);
  });

  it('selectMnist copies the chosen images and labels', async () => {
    const { test } = await loadMnist({ testSize: 5 });
    const s = selectMnist(test, [4, 0]);
    expect(Array.from(s.labels)).toEqual([test.labels[4], test.labels[0]]);
    expect(s.images.subarray(0, 784)).toEqual(test.images.subarray(4 * 784, 5 * 784));
  });
});

describe('downloadMnist', () => {
  let server: Server;
  let baseUrl: string;
  const requests: string[] = [];

  beforeAll(async () => {
    // Serves the shared test files under all four standard names.
    const files: Record<string, Buffer> = {
      '/mnist/train-images-idx3-ubyte.gz': readFileSync(join(SHARED_MNIST_DIR, IMAGES)),
      '/mnist/train-labels-idx1-ubyte.gz': readFileSync(join(SHARED_MNIST_DIR, LABELS)),
      [`/mnist/${IMAGES}`]: readFileSync(join(SHARED_MNIST_DIR, IMAGES)),
      [`/mnist/${LABELS}`]: readFileSync(join(SHARED_MNIST_DIR, LABELS)),
    };
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const body = files[req.url ?? ''];
      res.writeHead(body ? 200 : 404, { 'content-length': body?.length ?? 0 });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mnist/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('downloads into the cache folder once, then reads from it', async () => {
    const cacheDir = join(tmp, 'cache');
    const lines: string[] = [];
    const first = await downloadMnist({ baseUrl, cacheDir, log: (l) => lines.push(l) });
    expect(first.train.length).toBe(10000);
    expect(first.test.length).toBe(10000);
    expect(requests).toHaveLength(4);
    expect(existsSync(join(cacheDir, 'train-images-idx3-ubyte.gz'))).toBe(true);
    expect(lines).toContain('mnist: downloading train-images-idx3-ubyte.gz');
    const second = await downloadMnist({ baseUrl, cacheDir, log: (l) => lines.push(l) });
    expect(requests).toHaveLength(4);
    expect(second.test.labels).toEqual(first.test.labels);
    expect(lines).toContain('mnist: train-images-idx3-ubyte.gz from the cache');
    // The cache folder now holds the standard files: usable as a data folder.
    expect(hasTrainFiles(cacheDir)).toBe(true);
  });

  it('reports an HTTP error with the URL', async () => {
    await expect(
      downloadMnist({ baseUrl: `${baseUrl}missing/`, cacheDir: join(tmp, 'cache2') }),
    ).rejects.toThrow(
      /GET http:\/\/127\.0\.0\.1:\d+\/mnist\/missing\/train-images-idx3-ubyte\.gz failed with HTTP 404/,
    );
  });
});
