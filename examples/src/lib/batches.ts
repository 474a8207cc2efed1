import type { BatchSource } from '@tessera/train';

/**
 * Batches of `source` passed through `fn` (normalisation, augmentation of whole batches), keeping
 * its `length` and `setEpoch` so `fit` still shows progress and reshuffles per epoch.
 */
export function mapBatches<A, B>(source: BatchSource<A>, fn: (batch: A) => B): BatchSource<B> {
  return {
    get length() {
      return source.length;
    },
    setEpoch(epoch: number) {
      source.setEpoch?.(epoch);
    },
    async *[Symbol.asyncIterator]() {
      if (Symbol.asyncIterator in source) for await (const b of source as AsyncIterable<A>) yield fn(b);
      else for (const b of source as Iterable<A>) yield fn(b);
    },
  };
}
