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
/** The one data setting of every MNIST consumer (tests, examples, CLI): a folder with the IDX files. */
export const MNIST_DIR_VARIABLE = 'TESSERA_MNIST_DIR';
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
  /** Folder with the IDX files; default $TESSERA_MNIST_DIR, else the shared folder when it exists. */
  dataDir?: string;
  /** Download the files when no folder has them (default false: a clear error instead). */
  download?: boolean;
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

/** Dataset not found anywhere it is looked for; the message says how to provide it. */
export class MnistNotFoundError extends Error {
  override name = 'MnistNotFoundError';
}

/** A data folder and the setting it came from. */
export interface MnistSource {
  dir: string;
  /** `dataDir` (the `--data-dir` flag), `$TESSERA_MNIST_DIR`, or the shared folder. */
  from: 'dataDir' | 'env' | 'shared';
}

/** Where to look: the environment and the shared folder (parameters so tests can vary them). */
export interface MnistLookup {
  env?: NodeJS.ProcessEnv;
  sharedDir?: string;
}

/**
 * The data folder to read, in order: `dataDir` (--data-dir), $TESSERA_MNIST_DIR, then
 * ../shared/datasets/mnist beside the repository when it exists; null when none applies. An
 * explicit setting is returned even when the folder is missing, so that loading reports it
 * instead of silently using another folder.
 */
export function findMnistDir(dataDir?: string, lookup: MnistLookup = {}): MnistSource | null {
  const env = lookup.env ?? process.env;
  const sharedDir = lookup.sharedDir ?? SHARED_MNIST_DIR;
  if (dataDir !== undefined) return { dir: dataDir, from: 'dataDir' };
  const fromEnv = env[MNIST_DIR_VARIABLE];
  if (fromEnv) return { dir: fromEnv, from: 'env' };
  return existsSync(sharedDir) ? { dir: sharedDir, from: 'shared' } : null;
}

const HOW_TO_PROVIDE = `pass --data-dir <folder with the MNIST IDX files> (option dataDir), set ${MNIST_DIR_VARIABLE}=<folder>, or add --download (option download) to fetch the files into .cache/mnist`;

/** Which setting chose the folder, as the user wrote it. */
function settingOf(source: MnistSource): string {
  if (source.from === 'env') return `${MNIST_DIR_VARIABLE}=${source.dir}`;
  return source.from === 'dataDir' ? `--data-dir ${source.dir}` : 'the shared folder beside the repository';
}

/** Reads the folder; a folder without the files is a MnistNotFoundError naming the setting. */
async function readSource(source: MnistSource): Promise<MnistData> {
  if (!existsSync(source.dir)) {
    throw new MnistNotFoundError(
      `mnist: data folder ${source.dir} does not exist (from ${settingOf(source)}); ${HOW_TO_PROVIDE}`,
    );
  }
  try {
    return await readFolder(source.dir);
  } catch (e) {
    const message = (e as Error).message;
    if (!/\bnot found in\b/.test(message)) throw e;
    throw new MnistNotFoundError(`${message} (from ${settingOf(source)}); ${HOW_TO_PROVIDE}`);
  }
}

/** The files previously downloaded into `cacheDir`, when all four are there. */
function hasDownload(cacheDir: string): boolean {
  const names = [
    'train-images-idx3-ubyte',
    'train-labels-idx1-ubyte',
    't10k-images-idx3-ubyte',
    't10k-labels-idx1-ubyte',
  ];
  return names.every((n) => existsSync(join(cacheDir, `${n}.gz`)));
}

async function readFolder(dir: string): Promise<MnistData> {
  if (hasTrainFiles(dir)) {
    const { train, test } = await mnist({ root: dir, split: 'both' });
    return { train, test, description: `MNIST train/test files in ${dir}` };
  }
  const all = await mnist({ root: dir, split: 'test' });
  const nTrain = Math.round(all.length * TRAIN_FRACTION);
  const [a, b] = randomSplit(all, [nTrain, all.length - nTrain], new Generator(SPLIT_SEED));
  return {
    train: selectMnist(all, a!.indices),
    test: selectMnist(all, b!.indices),
    description: `the ${all.length} MNIST test images in ${dir}, split ${nTrain} / ${all.length - nTrain} (seed ${SPLIT_SEED})`,
  };
}

/**
 * Loads MNIST for the examples from the folder findMnistDir picks, else from an earlier download
 * in `cacheDir`, else (only with `download: true`) downloads it; otherwise throws an
 * MnistNotFoundError naming --data-dir and TESSERA_MNIST_DIR. With the standard training files it
 * returns the official train/test split. With a folder holding only the 10,000 test images (the
 * shared team folder) it splits them 8,000 / 2,000 with a fixed seed, so the 2,000 held-out
 * images are the same in every run.
 */
export async function loadMnist(opts: MnistDataOptions = {}, lookup: MnistLookup = {}): Promise<MnistData> {
  const source = findMnistDir(opts.dataDir, lookup);
  const cacheDir = opts.cacheDir ?? MNIST_CACHE_DIR;
  let data: MnistData;
  if (source !== null) {
    data = await readSource(source);
  } else if (opts.download === true || hasDownload(cacheDir)) {
    data = await downloadMnist({ ...opts, cacheDir });
  } else {
    const shared = lookup.sharedDir ?? SHARED_MNIST_DIR;
    throw new MnistNotFoundError(
      `mnist: MNIST not found (no --data-dir, ${MNIST_DIR_VARIABLE} not set, no ${shared}, no download in ${cacheDir}); ${HOW_TO_PROVIDE}`,
    );
  }
  return {
    train: firstN(data.train, opts.trainSize, 'trainSize'),
    test: firstN(data.test, opts.testSize, 'testSize'),
    description: data.description,
  };
}
