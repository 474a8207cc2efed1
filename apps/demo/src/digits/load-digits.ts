import { type DownloadProgress, type MnistDataset, mnist } from '@tessera/data';
import { errorText } from '../engine/worker-port.js';
import type { MnistSource } from './protocol.js';
import { type DigitsData, splitDigits } from './trainer.js';

/** MNIST as a worker trains on it: the train/test split and the label the page shows for it. */
export interface LoadedDigits {
  data: DigitsData;
  label: string;
}

/** The standard train and test files, or only the test files when that is all the folder has. */
async function loadSets(
  source: MnistSource,
  onProgress: (p: DownloadProgress) => void,
): Promise<{ train?: MnistDataset; test: MnistDataset }> {
  const test = () => mnist({ baseUrl: source.baseUrl, split: 'test', onProgress });
  if (source.split === 'test') return { test: await test() };
  try {
    return await mnist({ baseUrl: source.baseUrl, split: 'both', onProgress });
  } catch (e) {
    try {
      return { test: await test() };
    } catch {
      throw e;
    }
  }
}

/**
 * Loads MNIST from `source` and splits it (the Digits and Generate workers). A failure throws an
 * error naming the URL, followed by `howToServe`, the page's advice on where to put the files.
 */
export async function loadDigits(
  source: MnistSource,
  onProgress: (p: DownloadProgress) => void,
  howToServe: string,
): Promise<LoadedDigits> {
  let sets: { train?: MnistDataset; test: MnistDataset };
  try {
    sets = await loadSets(source, onProgress);
  } catch (e) {
    throw new Error(`Could not load MNIST from ${source.baseUrl}: ${errorText(e)}. ${howToServe}`);
  }
  // A 'test' source already says that it holds only the test images.
  const label =
    sets.train || source.split === 'test'
      ? source.label
      : `${source.label} (test images only, split 8,000 / 2,000)`;
  return { data: splitDigits(sets), label };
}
