import { type OpObserver, setOpObserver } from '@tessera/tensor';

/**
 * Runs `fn` with an op observer attached that records the name of every op run, and restores the
 * previous observer afterwards (even when `fn` throws). `fn` gets the recorded names and the
 * observer (to check it is still attached); its result is returned.
 */
export function observing<T>(fn: (calls: string[], obs: OpObserver) => T): T {
  const calls: string[] = [];
  const obs: OpObserver = {
    run(call, compute) {
      calls.push(call.name);
      return compute();
    },
  };
  const prev = setOpObserver(obs);
  try {
    return fn(calls, obs);
  } finally {
    setOpObserver(prev);
  }
}
