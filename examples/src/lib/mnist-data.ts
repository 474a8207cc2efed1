import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DatasetCache, type DownloadProgress, MnistDataset, mnist, randomSplit } from '@tessera/data';
import { Generator } from '@tessera/tensor';

/** The repository root (this file is examples/src/lib/ or, compiled, examples/dist/lib/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The MNIST test files shared with the team (10,000 images), used when present. */
export const SHARED_MNIST_DIR = join(REPO_ROOT, '../shared/datasets/mnist');
/** Where downloaded MNIST files are kept (gitignored). */
export const MNIST_CACHE_DIR = join(REPO_ROOT, '.cache/mnist');
/** A public mirror of the four MNIST files. */
export const DEFAULT_MNIST_URL = 'https://storage.googleapis.com/cvdf-datasets/mnist/';
/** Seed of the train/test split of a test-files-only folder: fixed, so every run holds out the same images. */
export const SPLIT_SEED = 0;
/** Share of a test-files-only folder used for training (10,000 images: 8,000 / 2,000). */
export const TRAIN_FRACTION = 0.8;

/** Where MNIST comes from and how much of it to use. */
export interface MnistDataOptions {
  /** Folder with the IDX files; default the shared folder when it exists, else a download. */
  dataDir?: string;
  /** URL of a folder serving the four `.gz` files (used when there is no data folder). */
  baseUrl?: string;
  /** Folder for downloaded files (default `.cache/mnist` at the repository root). */
  cacheDir?: string;
  /** Use only the first `trainSize` training images (quick runs). */
  trainSize?: number;
  /** Use only the first `testSize` test images (quick runs). */
  testSize?: number;
  /** Progress messages. */
  log?: (line: string) => void;
}

/** Training and test images, and where they came from. */
export interface MnistData {
  train: MnistDataset;
  test: MnistDataset;
  /** One line saying which files were used and how they were split. */
  description: string;
}

/** The images and labels of `ds` at `indices`, as a new dataset (keeps the fast `getBatch` path). */
export function selectMnist(ds: MnistDataset, indices: readonly number[]): MnistDataset {
  const px = ds.rows * ds.cols;
  const images = new Uint8Array(indices.length * px);
  const labels = new Uint8Array(indices.length);
  indices.forEach((i, k) => {
    images.set(ds.images.subarray(i * px, (i + 1) * px), k * px);
    labels[k] = ds.labels[i]!;
  });
  return new MnistDataset(images, labels, ds.rows, ds.cols);
}

function firstN(ds: MnistDataset, n: number | undefined, what: string): MnistDataset {
  if (n === undefined || n >= ds.length) return ds;
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`mnist: ${what} must be a positive integer, got ${n}`);
  const first = Array.from({ length: n }, (_, i) => i);
  return selectMnist(ds, first);
}

/** Whether `dir` holds the 60,000-image training files (any of the names `mnist()` accepts). */
export function hasTrainFiles(dir: string): boolean {
  const names = ['train-images-idx3-ubyte', 'train-images.idx3-ubyte'].flatMap((n) => [n, `${n}.gz`]);
  return [dir, join(dir, 'MNIST/raw')].some((d) => names.some((n) => existsSync(join(d, n))));
}

/**
 * A download cache in a folder: each URL is stored under its file name, so the folder ends up
 * holding the standard files and can later be passed as a data folder. Writes are atomic.
 */
export function folderCache(dir: string): DatasetCache {
  const fileOf = (key: string) => join(dir, new URL(key).pathname.split('/').pop() || 'download');
  return {
    async get(key) {
      try {
        return new Uint8Array(await readFile(fileOf(key)));
      } catch {
        return undefined;
      }
    },
    async put(key, bytes) {
      await mkdir(dir, { recursive: true });
      const tmp = `${fileOf(key)}.tmp-${process.pid}`;
      await writeFile(tmp, bytes);
      await rename(tmp, fileOf(key));
    },
  };
}

function progressLogger(log: (line: string) => void): (p: DownloadProgress) => void {
  return (p) => {
    if (p.cached && p.loaded === p.total) log(`mnist: ${p.file} from the cache`);
    else if (!p.cached && p.loaded === 0) log(`mnist: downloading ${p.file}`);
    else if (!p.cached && p.total !== undefined && p.loaded === p.total) {
      log(`mnist: downloaded ${p.file} (${(p.loaded / 2 ** 20).toFixed(1)} MiB)`);
    }
  };
}

/**
 * Downloads the four standard MNIST files from `baseUrl` (default the public mirror) into
 * `cacheDir` (default `.cache/mnist`), or reads them from there when already downloaded, and
 * returns the official train/test split.
 */
export async function downloadMnist(
  opts: Pick<MnistDataOptions, 'baseUrl' | 'cacheDir' | 'log'> = {},
): Promise<MnistData> {
  const baseUrl = opts.baseUrl ?? DEFAULT_MNIST_URL;
  const cacheDir = opts.cacheDir ?? MNIST_CACHE_DIR;
  const { train, test } = await mnist({
    baseUrl,
    split: 'both',
    cache: folderCache(cacheDir),
    onProgress: progressLogger(opts.log ?? (() => {})),
  });
  return { train, test, description: `MNIST from ${baseUrl} (cached in ${cacheDir})` };
}

/**
 * Loads MNIST for the examples. With the standard training files (a data folder holding them,
 * or a download) it returns the official train/test split. With a folder holding only the
 * 10,000 test images (the shared team folder) it splits them 8,000 / 2,000 with a fixed seed,
 * so the 2,000 held-out images are the same in every run.
 */
export async function loadMnist(opts: MnistDataOptions = {}): Promise<MnistData> {
  const dir = opts.dataDir ?? (existsSync(SHARED_MNIST_DIR) ? SHARED_MNIST_DIR : undefined);
  let data: MnistData;
  if (dir !== undefined) {
    if (!existsSync(dir)) throw new Error(`mnist: data folder ${dir} does not exist`);
    if (hasTrainFiles(dir)) {
      const { train, test } = await mnist({ root: dir, split: 'both' });
      data = { train, test, description: `MNIST train/test files in ${dir}` };
    } else {
      const all = await mnist({ root: dir, split: 'test' });
      const nTrain = Math.round(all.length * TRAIN_FRACTION);
      const [a, b] = randomSplit(all, [nTrain, all.length - nTrain], new Generator(SPLIT_SEED));
      data = {
        train: selectMnist(all, a!.indices),
        test: selectMnist(all, b!.indices),
        description: `the ${all.length} MNIST test images in ${dir}, split ${nTrain} / ${all.length - nTrain} (seed ${SPLIT_SEED})`,
      };
    }
  } else {
    data = await downloadMnist(opts);
  }
  return {
    train: firstN(data.train, opts.trainSize, 'trainSize'),
    test: firstN(data.test, opts.testSize, 'testSize'),
    description: data.description,
  };
}
