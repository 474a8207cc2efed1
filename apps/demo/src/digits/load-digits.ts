import { type DownloadProgress, type MnistDataset, mnist } from '@tessera/data';
import { errorText } from '../engine/worker-port.js';
import type { MnistSource } from './protocol.js';
import { type DigitsData, splitDigits } from './trainer.js';

/** What loadDigits tells the page: download progress, then the sizes of the split and its source. */
export type LoadMessage =
  | ({ type: 'progress' } & DownloadProgress)
  | { type: 'dataset'; train: number; test: number; label: string };

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
 * Loads MNIST from `source` and splits it (the Digits and Generate workers), posting the download
 * progress and then the 'dataset' message. A failure throws an error naming the URL, followed by
 * `howToServe`, the page's advice on where to put the files.
 */
export async function loadDigits(
  source: MnistSource,
  post: (m: LoadMessage) => void,
  howToServe: string,
): Promise<DigitsData> {
  let sets: { train?: MnistDataset; test: MnistDataset };
  try {
    sets = await loadSets(source, (p) => post({ type: 'progress', ...p }));
  } catch (e) {
    throw new Error(`Could not load MNIST from ${source.baseUrl}: ${errorText(e)}. ${howToServe}`);
  }
  const data = splitDigits(sets);
  // A 'test' source already says that it holds only the test images.
  const label =
    sets.train || source.split === 'test'
      ? source.label
      : `${source.label} (test images only, split 8,000 / 2,000)`;
  post({ type: 'dataset', train: data.trainIndices.length, test: data.testIndices.length, label });
  return data;
}
