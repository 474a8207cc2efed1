import { type OpCall, setOpObserver } from '@tessera/tensor';

/**
 * Runs `fn` with an op observer attached and returns the top-level calls it saw, as autograd
 * sees them: ops run inside a recorded op's computation are not recorded. The previous observer
 * is restored afterwards, even when `fn` throws.
 */
export function recordTopLevel(fn: () => unknown): OpCall[] {
  const calls: OpCall[] = [];
  let depth = 0;
  const prev = setOpObserver({
    run(call, compute) {
      if (depth === 0) calls.push(call);
      depth++;
      try {
        return compute();
      } finally {
        depth--;
      }
    },
  });
  try {
    fn();
  } finally {
    setOpObserver(prev);
  }
  return calls;
}
