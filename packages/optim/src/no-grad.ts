import { setOpObserver } from '@tessera/tensor';

/**
 * Runs `fn` with the base op observer (autograd's recorder) detached, so that nothing it does is
 * recorded. Observers pushed with `pushOpObserver` (a profiler) stay and still see the updates.
 *
 * Why: optimizer updates write parameters in place. With `@tessera/autograd` attached, an in-place
 * write to a leaf that requires grad would be refused (or recorded into the graph), and the update
 * itself must never become part of a graph. PyTorch wraps `step()` in `torch.no_grad()`; detaching
 * the observer is the equivalent here without this package importing autograd. The previous
 * observer is restored even when `fn` throws.
 */
export function withoutRecording<T>(fn: () => T): T {
  const prev = setOpObserver(null);
  try {
    return fn();
  } finally {
    setOpObserver(prev);
  }
}
