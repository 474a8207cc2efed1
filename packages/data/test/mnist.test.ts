import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Generator } from '@tessera/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { describeIfAvailable, mnistDir } from '../../../tests/repo/requirements.js';
import {
  DataLoader,
  type DatasetCache,
  type DownloadProgress,
  encodeIdx,
  mnist,
  randomSplit,
} from '../src/index.js';

// TESSERA_MNIST_DIR, else ../shared/datasets/mnist beside the repository; without the files the
// real-MNIST tests are listed as skipped, with the reason and the fix in their name.
const MNIST_DIR = mnistDir() ?? '';

const COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

describeIfAvailable('mnist', 'MNIST test files', () => {
  it('loads 10,000 images [28,28] with the documented labels and class counts', async () => {
    const test = await mnist({ root: MNIST_DIR, split: 'test' });
    expect(test.length).toBe(10000);
    expect([test.rows, test.cols]).toEqual([28, 28]);
    expect(Array.from(test.labels.subarray(0, 4))).toEqual([7, 2, 1, 0]);
    expect(test.classCounts()).toEqual(COUNTS);
    const [img, label] = test.get(0);
    expect(img.shape).toEqual([1, 28, 28]);
    expect(img.dtype).toBe('float32');
    expect(label.dtype).toBe('int32');
    expect(label.item()).toBe(7);
    const px = Array.from(img.dataSync());
    expect(Math.min(...px)).toBe(0);
    expect(Math.max(...px)).toBe(1);
    // A batch from getBatch equals stacking get().
    const [xb, yb] = test.getBatch([1, 0]);
    expect(xb.shape).toEqual([2, 1, 28, 28]);
    expect(Array.from(yb.dataSync())).toEqual([2, 7]);
    expect(Array.from(xb.dataSync().subarray(784))).toEqual(px);
  });

  it('splits the test set 8,000 / 2,000 with a seed and batches it', async () => {
    const test = await mnist({ root: MNIST_DIR, split: 'test' });
    const [train, val] = randomSplit(test, [8000, 2000], new Generator(0));
    expect([train!.length, val!.length]).toEqual([8000, 2000]);
    const loader = new DataLoader(train!, { batchSize: 128, shuffle: true, generator: new Generator(1) });
    expect(loader.length).toBe(63);
    for await (const [x, y] of loader) {
      expect(x.shape).toEqual([128, 1, 28, 28]);
      expect(y.shape).toEqual([128]);
      break;
    }
  });

  it("explains that only the test files are there when asked for 'train'", async () => {
    // A folder holding only the two test files, so the case holds when MNIST_DIR has the full set.
    const onlyTest = mkdtempSync(join(tmpdir(), 'tessera-mnist-test-only-'));
    for (const f of ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'])
      writeFileSync(join(onlyTest, f), readFileSync(join(MNIST_DIR, f)));
    await expect(mnist({ root: onlyTest })).rejects.toThrow(
      /train-images-idx3-ubyte\(\.gz\) not found in .*only the test files are there: use split: 'test'/,
    );
    rmSync(onlyTest, { recursive: true, force: true });
  });

  it('loads from a baseUrl with progress and a cache: the second load does not download', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const f of ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'])
      files[`https://example.test/mnist/${f}`] = new Uint8Array(readFileSync(join(MNIST_DIR, f)));
    const requested: string[] = [];
    const fakeFetch = async (url: string) => {
      requested.push(url);
      const body = files[url];
      if (!body) return new Response('missing', { status: 404, statusText: 'Not Found' });
      // Deliver in chunks so progress has several steps.
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          for (let at = 0; at < body.length; at += 300_000) c.enqueue(body.subarray(at, at + 300_000));
          c.close();
        },
      });
      return new Response(stream, { headers: { 'content-length': String(body.length) } });
    };
    const store = new Map<string, Uint8Array>();
    const cache: DatasetCache = { get: async (k) => store.get(k), put: async (k, b) => void store.set(k, b) };
    const progress: DownloadProgress[] = [];
    const opts = {
      baseUrl: 'https://example.test/mnist',
      split: 'test' as const,
      fetch: fakeFetch,
      cache,
      onProgress: (p: DownloadProgress) => progress.push(p),
    };
    const first = await mnist(opts);
    expect(first.length).toBe(10000);
    expect(requested.length).toBe(2);
    const img = progress.filter((p) => p.file === 't10k-images-idx3-ubyte.gz');
    expect(img.length).toBeGreaterThan(3);
    expect(img.at(-1)).toEqual({
      file: 't10k-images-idx3-ubyte.gz',
      loaded: 1648877,
      total: 1648877,
      cached: false,
    });
    expect(img.every((p, i) => i === 0 || p.loaded >= img[i - 1]!.loaded)).toBe(true);
    progress.length = 0;
    const second = await mnist(opts);
    expect(requested.length).toBe(2);
    expect(second.classCounts()).toEqual(COUNTS);
    expect(progress.every((p) => p.cached)).toBe(true);
    await expect(mnist({ ...opts, baseUrl: 'https://example.test/nothing', cache: false })).rejects.toThrow(
      /GET https:\/\/example\.test\/nothing\/t10k-(images|labels)-idx\d-ubyte\.gz failed with HTTP 404 Not Found/,
    );
  });
});

describe('MNIST-format files at full size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-mnist-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loads 60,000 train + 10,000 test images ('both'), gzipped or not", async () => {
    const write = (name: string, n: number, gz: boolean) => {
      const img = new Uint8Array(n * 784);
      for (let i = 0; i < n; i++) img[i * 784 + (i % 784)] = (i % 255) + 1;
      const lbl = Uint8Array.from({ length: n }, (_, i) => i % 10);
      const enc = (a: Uint8Array, shape: number[]) => encodeIdx({ type: 'uint8', shape, data: a });
      const i = enc(img, [n, 28, 28]);
      const l = enc(lbl, [n]);
      writeFileSync(
        join(dir, `${name}-images-idx3-ubyte${gz ? '.gz' : ''}`),
        gz ? gzipSync(i, { level: 1 }) : i,
      );
      writeFileSync(
        join(dir, `${name}-labels-idx1-ubyte${gz ? '.gz' : ''}`),
        gz ? gzipSync(l, { level: 1 }) : l,
      );
    };
    write('train', 60000, true);
    write('t10k', 10000, false);
    const { train, test } = await mnist({ root: dir, split: 'both' });
    expect(train.length).toBe(60000);
    expect(test.length).toBe(10000);
    expect(train.classCounts()).toEqual(Array(10).fill(6000));
    const [x, y] = train.get(59999);
    expect(y.item()).toBe(9);
    expect(x.dataSync()[59999 % 784]).toBeCloseTo(((59999 % 255) + 1) / 255, 6);
    // Mismatched counts are reported with both files.
    writeFileSync(
      join(dir, 't10k-labels-idx1-ubyte'),
      encodeIdx({ type: 'uint8', shape: [9999], data: new Uint8Array(9999) }),
    );
    await expect(mnist({ root: dir, split: 'test' })).rejects.toThrow(
      /t10k-images-idx3-ubyte holds 10000 images but .*t10k-labels-idx1-ubyte holds 9999 labels/,
    );
    // Labels file in place of images: the magic number says so.
    writeFileSync(
      join(dir, 't10k-images-idx3-ubyte'),
      encodeIdx({ type: 'uint8', shape: [3], data: new Uint8Array(3) }),
    );
    await expect(mnist({ root: dir, split: 'test' })).rejects.toThrow(
      /t10k-images-idx3-ubyte: magic number 0x00000801 \(uint8, 1 dims\) but expected 0x00000803/,
    );
  });
});
