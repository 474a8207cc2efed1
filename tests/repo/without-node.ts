/**
 * Runs `fn` with `globalThis.process` hidden, as in a browser, and restores it before returning.
 * Only for synchronous code (or the synchronous start of an async function): vitest itself needs
 * `process` again as soon as `fn` returns.
 */
export function withoutNode<T>(fn: () => T): T {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'process');
  if (descriptor === undefined) return fn();
  Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    Object.defineProperty(globalThis, 'process', descriptor);
  }
}
