import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeIfAvailable, mnistDir } from '../../tests/repo/requirements.js';
import {
  downloadMnist,
  findMnistDir,
  hasTrainFiles,
  loadMnist,
  MnistNotFoundError,
  SHARED_MNIST_DIR,
  selectMnist,
} from '../src/lib/mnist-data.js';

const tmp = mkdtempSync(join(tmpdir(), 'tessera-mnist-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const IMAGES = 't10k-images-idx3-ubyte.gz';
const LABELS = 't10k-labels-idx1-ubyte.gz';

// The MNIST test files (TESSERA_MNIST_DIR, else ../shared/datasets/mnist): the tests that read them
// are skipped, with the reason in their name, when there are none.
const FOUND = mnistDir() ?? '';
/** A folder holding only the 10,000 test images (links to FOUND), whatever else FOUND holds. */
function testFilesOnly(): string {
  const dir = join(tmp, 'test-only');
  if (!existsSync(dir)) {
    mkdirSync(dir);
    for (const f of [IMAGES, LABELS]) symlinkSync(join(FOUND, f), join(dir, f));
  }
  return dir;
}

function counts(labels: Uint8Array): number[] {
  const c = new Array(10).fill(0);
  for (const l of labels) c[l]++;
  return c;
}

describeIfAvailable('mnist', 'loadMnist on the MNIST test files', () => {
  it('splits the shared 10,000 test images 8,000 / 2,000, the same way every time', async () => {
    const a = await loadMnist({ dataDir: testFilesOnly() });
    const b = await loadMnist({ dataDir: testFilesOnly() });
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
    const full = await loadMnist({ dataDir: testFilesOnly() });
    const small = await loadMnist({ dataDir: testFilesOnly(), trainSize: 100, testSize: 10 });
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
      symlinkSync(join(FOUND, from), join(dir, to));
    }
    expect(hasTrainFiles(dir)).toBe(true);
    expect(hasTrainFiles(testFilesOnly())).toBe(false);
    const d = await loadMnist({ dataDir: dir });
    expect(d.train.length).toBe(10000);
    expect(d.test.length).toBe(10000);
    expect(d.description).toBe(`MNIST train/test files in ${dir}`);
  });

  it('selectMnist copies the chosen images and labels', async () => {
    const { test } = await loadMnist({ dataDir: testFilesOnly(), testSize: 5 });
    const s = selectMnist(test, [4, 0]);
    expect(Array.from(s.labels)).toEqual([test.labels[4], test.labels[0]]);
    expect(s.images.subarray(0, 784)).toEqual(test.images.subarray(4 * 784, 5 * 784));
  });
});

describe('where the examples find MNIST', () => {
  const shared = join(tmp, 'shared-mnist');
  const nowhere = { env: {}, sharedDir: join(tmp, 'no-shared') };

  it('--data-dir, then TESSERA_MNIST_DIR, then ../shared/datasets/mnist when it exists', () => {
    mkdirSync(shared, { recursive: true });
    const env = { TESSERA_MNIST_DIR: '/data/mnist' };
    expect(findMnistDir('flag', { env, sharedDir: shared })).toEqual({ dir: 'flag', from: 'dataDir' });
    expect(findMnistDir(undefined, { env, sharedDir: shared })).toEqual({ dir: '/data/mnist', from: 'env' });
    expect(findMnistDir(undefined, { env: { TESSERA_MNIST_DIR: '' }, sharedDir: shared })).toEqual({
      dir: shared,
      from: 'shared',
    });
    expect(findMnistDir(undefined, nowhere)).toBeNull();
    expect(SHARED_MNIST_DIR).toMatch(/[/\\]shared[/\\]datasets[/\\]mnist$/);
  });

  it('with no data anywhere it says how to provide it, and does not download', async () => {
    const cacheDir = join(tmp, 'empty-cache');
    // baseUrl would fail if fetched: nothing may be downloaded without download: true.
    const opts = { cacheDir, baseUrl: 'http://127.0.0.1:9/' };
    const err = await loadMnist(opts, nowhere).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MnistNotFoundError);
    expect((err as Error).message).toBe(
      `mnist: MNIST not found (no --data-dir, TESSERA_MNIST_DIR not set, no ${nowhere.sharedDir}, no download in ${cacheDir}); ` +
        'pass --data-dir <folder with the MNIST IDX files> (option dataDir), set TESSERA_MNIST_DIR=<folder>, ' +
        'or add --download (option download) to fetch the files into .cache/mnist',
    );
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('a TESSERA_MNIST_DIR that does not exist is reported, not replaced by the shared folder', async () => {
    const missing = join(tmp, 'missing');
    const lookup = { env: { TESSERA_MNIST_DIR: missing }, sharedDir: shared };
    await expect(loadMnist({}, lookup)).rejects.toThrow(
      `mnist: data folder ${missing} does not exist (from TESSERA_MNIST_DIR=${missing}); pass --data-dir`,
    );
  });

  it('says which files are missing in a folder without MNIST', async () => {
    const dir = join(tmp, 'empty');
    mkdirSync(dir);
    const err = await loadMnist({ dataDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MnistNotFoundError);
    expect((err as Error).message).toMatch(/t10k-images-idx3-ubyte\(\.gz\) not found in .*empty/);
    expect((err as Error).message).toContain(`(from --data-dir ${dir}); pass --data-dir`);
    const fromEnv = await loadMnist({}, { env: { TESSERA_MNIST_DIR: dir } }).catch((e: unknown) => e);
    expect((fromEnv as Error).message).toContain(`(from TESSERA_MNIST_DIR=${dir}); pass --data-dir`);
  });
});

describeIfAvailable('mnist', 'downloadMnist (a local server with the MNIST test files)', () => {
  let server: Server;
  let baseUrl: string;
  const requests: string[] = [];

  beforeAll(async () => {
    // Serves the shared test files under all four standard names.
    const files: Record<string, Buffer> = {
      '/mnist/train-images-idx3-ubyte.gz': readFileSync(join(FOUND, IMAGES)),
      '/mnist/train-labels-idx1-ubyte.gz': readFileSync(join(FOUND, LABELS)),
      [`/mnist/${IMAGES}`]: readFileSync(join(FOUND, IMAGES)),
      [`/mnist/${LABELS}`]: readFileSync(join(FOUND, LABELS)),
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
