import { appParam } from '../lib/url.js';
import type { MnistSource } from './protocol.js';

/** The public mirror of the standard MNIST files used by TensorFlow Datasets. */
export const DEFAULT_MNIST_URL = 'https://storage.googleapis.com/cvdf-datasets/mnist/';

/** Path at which the dev and preview servers serve a local MNIST folder (see mnist-plugin.ts). */
const LOCAL_PATH = 'datasets/mnist/';

function withSlash(u: string): string {
  return u.endsWith('/') ? u : `${u}/`;
}

/**
 * Where to load MNIST from, in order: the `?mnist=` URL parameter; the folder served by the dev
 * or preview server, when it has the files; the `VITE_MNIST_URL` build variable; the public mirror.
 */
export async function resolveMnistSource(): Promise<MnistSource> {
  const param = appParam('mnist');
  if (param) {
    const url = new URL(param, document.baseURI).href;
    return { baseUrl: withSlash(url), split: 'both', label: url };
  }
  const local = new URL(LOCAL_PATH, document.baseURI).href;
  try {
    const res = await fetch(`${local}index.json`, { cache: 'no-store' });
    if (res.ok && (res.headers.get('content-type') ?? '').includes('json')) {
      const { files } = (await res.json()) as { files: string[] };
      const has = (base: string) => files.includes(`${base}.gz`);
      if (has('train-images-idx3-ubyte') && has('train-labels-idx1-ubyte') && has('t10k-images-idx3-ubyte')) {
        return { baseUrl: local, split: 'both', label: 'local folder (train and test files)' };
      }
      if (has('t10k-images-idx3-ubyte') && has('t10k-labels-idx1-ubyte')) {
        return {
          baseUrl: local,
          split: 'test',
          label: 'local folder (10,000 test images, split 8,000 / 2,000)',
        };
      }
    }
  } catch {
    // No local folder: a static deployment.
  }
  const env = (import.meta.env.VITE_MNIST_URL as string | undefined) ?? '';
  const url = env.length > 0 ? env : DEFAULT_MNIST_URL;
  return { baseUrl: withSlash(url), split: 'both', label: url };
}

/**
 * Resolves where MNIST comes from (see resolveMnistSource), shows it in `sourceText` and asks the
 * page's worker to load it: what the Digits and Generate pages do once their worker is ready.
 */
export function loadMnistInWorker(
  sourceText: HTMLElement,
  send: (m: { type: 'load'; source: MnistSource }) => void,
): void {
  void resolveMnistSource().then((source) => {
    sourceText.textContent = `MNIST from ${source.label}`;
    send({ type: 'load', source });
  });
}
