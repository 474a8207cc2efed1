// Yielding to the event loop, so that prefetched batches are prepared while the consumer's own
// awaits (a training step, a GPU read) are pending rather than before it resumes.
import { nextStep } from '@tessera/tensor';

/**
 * Resolves on a later macrotask (setImmediate in Node, a MessageChannel message in browsers):
 * `nextStep` of @tessera/tensor, which also lets finalizers and bounded GPU work catch up.
 */
export function nextMacrotask(): Promise<void> {
  return nextStep();
}
