import { type Tensor, tensor } from '@tessera/tensor';
import type { Collated } from '../collate.js';
import { checkIndex, Dataset } from '../dataset.js';
import { importNode, isNode } from '../worker-pool.js';
import { type DatasetCache, type DownloadProgress, download, type FetchLike } from './download.js';
import { loadIdx } from './idx.js';

/**
 * Grey-scale images stored as bytes with integer labels, as in the MNIST family. Sample i is
 * `[image, label]`: the image a float32 tensor [1, rows, cols] with values in [0, 1] (byte / 255,
 * as torchvision's ToTensor), the label a 0-d int32 tensor. `getBatch` builds a whole batch
 * straight from the bytes, which `DataLoader` uses.
 */
export class MnistDataset extends Dataset<[Tensor, Tensor]> {
  /** Pixels, image after image, row-major (n * rows * cols bytes). */
  readonly images: Uint8Array;
  /** One label byte per image. */
  readonly labels: Uint8Array;
  readonly rows: number;
  readonly cols: number;

  constructor(images: Uint8Array, labels: Uint8Array, rows: number, cols: number) {
    super();
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1)
      throw new RangeError(`MnistDataset: images need at least one row and column, got [${rows},${cols}]`);
    if (images.length !== labels.length * rows * cols) {
      throw new RangeError(
        `MnistDataset: ${labels.length} labels need ${labels.length * rows * cols} pixel bytes of [${rows},${cols}] images, got ${images.length}`,
      );
    }
    this.images = images;
    this.labels = labels;
    this.rows = rows;
    this.cols = cols;
  }

  /** Number of samples. */
  get length(): number {
    return this.labels.length;
  }

  /** Sample `index`. */
  get(index: number): [Tensor, Tensor] {
    checkIndex('MnistDataset.get', index, this.length);
    const px = this.rows * this.cols;
    const out = new Float32Array(px);
    const src = this.images.subarray(index * px, (index + 1) * px);
    for (let i = 0; i < px; i++) out[i] = src[i]! / 255;
    return [
      tensor(out, { shape: [1, this.rows, this.cols] }),
      tensor(this.labels[index]!, { dtype: 'int32' }),
    ];
  }

  /** Images [B,1,rows,cols] float32 and labels [B] int32 for `indices`. */
  getBatch(indices: readonly number[]): Collated<[Tensor, Tensor]> {
    const px = this.rows * this.cols;
    const x = new Float32Array(indices.length * px);
    const y = new Int32Array(indices.length);
    indices.forEach((index, b) => {
      checkIndex('MnistDataset.getBatch', index, this.length);
      const src = this.images.subarray(index * px, (index + 1) * px);
      const o = b * px;
      for (let i = 0; i < px; i++) x[o + i] = src[i]! / 255;
      y[b] = this.labels[index]!;
    });
    return [tensor(x, { shape: [indices.length, 1, this.rows, this.cols] }), tensor(y)];
  }

  /** The whole set as tensors: x [N,1,rows,cols] float32 in [0, 1], y [N] int32. */
  tensors(): { x: Tensor; y: Tensor } {
    const [x, y] = this.getBatch(Array.from({ length: this.length }, (_, i) => i));
    return { x, y };
  }

  /** Number of images per label value (index = label). */
  classCounts(): number[] {
    const counts: number[] = [];
    for (const l of this.labels) counts[l] = (counts[l] ?? 0) + 1;
    return Array.from(counts, (c) => c ?? 0);
  }
}

/** Which part of MNIST to load. */
export type MnistSplit = 'train' | 'test' | 'both';

/** Options of `mnist`. */
export interface MnistOptions {
  /** Node: folder with the IDX files (`.gz` or not; also `root/MNIST/raw`). */
  root?: string;
  /** Browser (or Node): URL of the folder serving the `.gz` files. */
  baseUrl?: string | URL;
  /** 'train' (default, 60,000 images), 'test' (10,000) or 'both'. */
  split?: MnistSplit;
  /** fetch to download with (default global fetch). */
  fetch?: FetchLike;
  /** Cache for downloads: default the browser cache (Cache API, else IndexedDB) where there is one; false for none. */
  cache?: DatasetCache | boolean;
  /** Download progress, per file. */
  onProgress?: (p: DownloadProgress) => void;
  /** Labels must lie in [0, numClasses) (default 10; EMNIST letters need 27). */
  numClasses?: number;
}

const FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

/** Candidate paths of one standard file under `root`, in lookup order. */
function candidates(root: string, base: string): string[] {
  const dotted = base.replace(/-(idx\d-ubyte)$/, '.$1');
  const dirs = [root, `${root}/MNIST/raw`];
  return dirs.flatMap((d) => [`${d}/${base}.gz`, `${d}/${base}`, `${d}/${dotted}.gz`, `${d}/${dotted}`]);
}

async function readFromRoot(
  root: string,
  base: string,
  split: 'train' | 'test',
): Promise<{ bytes: Uint8Array; name: string }> {
  const fs = await importNode<typeof import('node:fs/promises')>('fs/promises');
  for (const path of candidates(root, base)) {
    try {
      return { bytes: new Uint8Array(await fs.readFile(path)), name: path };
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT')
        throw new Error(`mnist: cannot read ${path}: ${(e as Error).message}`);
    }
  }
  let present: string[] = [];
  try {
    present = (await fs.readdir(root)).filter((f) => /idx\d-ubyte/.test(f));
  } catch {
    throw new Error(`mnist: folder ${root} does not exist or cannot be listed`);
  }
  const hint =
    split === 'train' && present.some((f) => f.startsWith('t10k'))
      ? "; only the test files are there: use split: 'test' (and randomSplit it for a train/validation split)"
      : '';
  throw new Error(
    `mnist: ${base}(.gz) not found in ${root} (IDX files there: ${present.join(', ') || 'none'})${hint}`,
  );
}

/** Like Promise.all, but rejects with the first failure in list order (not in time order). */
async function inOrder<A, B>(ps: [Promise<A>, Promise<B>]): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled(ps);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
}

async function loadSplit(opts: MnistOptions, split: 'train' | 'test'): Promise<MnistDataset> {
  const [imgBase, lblBase] = FILES[split];
  const fetchOne = async (base: string) => {
    if (opts.root !== undefined && isNode()) return readFromRoot(opts.root, base, split);
    if (opts.baseUrl === undefined) {
      throw new Error(
        opts.root !== undefined
          ? 'mnist: root (a folder) needs Node; in the browser pass baseUrl'
          : 'mnist: pass root (Node: a folder) or baseUrl (a URL)',
      );
    }
    const href = String(opts.baseUrl);
    const url = `${href.endsWith('/') ? href : `${href}/`}${base}.gz`;
    const bytes = await download(url, {
      fetch: opts.fetch,
      cache: opts.cache ?? true,
      onProgress: opts.onProgress,
      name: `${base}.gz`,
    });
    return { bytes, name: url };
  };
  // Both files load in parallel; failures are reported images first, so errors are stable.
  const [img, lbl] = await inOrder([fetchOne(imgBase), fetchOne(lblBase)]);
  const [images, labels] = await inOrder([
    loadIdx(img.bytes, { name: img.name, expect: { type: 'uint8', ndim: 3 } }),
    loadIdx(lbl.bytes, { name: lbl.name, expect: { type: 'uint8', ndim: 1 } }),
  ]);
  const [n, rows, cols] = images.shape as [number, number, number];
  if (labels.shape[0] !== n) {
    throw new Error(`mnist: ${img.name} holds ${n} images but ${lbl.name} holds ${labels.shape[0]} labels`);
  }
  if (n === 0 || rows === 0 || cols === 0)
    throw new Error(
      `mnist: ${img.name} holds images of shape [${n},${rows},${cols}]: no pixels to learn from`,
    );
  const numClasses = opts.numClasses ?? 10;
  const bad = (labels.data as Uint8Array).findIndex((l) => l >= numClasses);
  if (bad >= 0) {
    throw new Error(
      `mnist: ${lbl.name}: label ${labels.data[bad]} at index ${bad} is not a class in [0, ${numClasses}) (pass numClasses for datasets with more classes)`,
    );
  }
  return new MnistDataset(images.data as Uint8Array, labels.data as Uint8Array, rows, cols);
}

/**
 * Loads MNIST (or any dataset in the same four IDX files, e.g. Fashion-MNIST): from a folder in
 * Node (`root`) or from URLs (`baseUrl`) with a cache so a second visit does not download again,
 * and a progress callback. Files may be gzip-compressed or not. Returns a `MnistDataset`
 * (`split` 'train' or 'test') or `{ train, test }` for 'both'.
 */
export function mnist(
  opts: MnistOptions & { split: 'both' },
): Promise<{ train: MnistDataset; test: MnistDataset }>;
export function mnist(opts: MnistOptions & { split?: 'train' | 'test' }): Promise<MnistDataset>;
export function mnist(
  opts: MnistOptions,
): Promise<MnistDataset | { train: MnistDataset; test: MnistDataset }>;
export async function mnist(
  opts: MnistOptions,
): Promise<MnistDataset | { train: MnistDataset; test: MnistDataset }> {
  if (opts === null || typeof opts !== 'object')
    throw new TypeError('mnist: expected options { root } or { baseUrl }');
  const split = opts.split ?? 'train';
  const k = opts.numClasses;
  if (k !== undefined && (!Number.isInteger(k) || k < 1 || k > 256))
    throw new RangeError(`mnist: numClasses must be an integer in [1, 256], got ${String(k)}`);
  if (split !== 'train' && split !== 'test' && split !== 'both') {
    throw new RangeError(`mnist: split must be 'train', 'test' or 'both', got ${JSON.stringify(split)}`);
  }
  if (split === 'both') {
    const [train, test] = await inOrder([loadSplit(opts, 'train'), loadSplit(opts, 'test')]);
    return { train, test };
  }
  return loadSplit(opts, split);
}
