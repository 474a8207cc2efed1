import { fmt } from './shape.js';
import type { Tensor } from './tensor.js';

/**
 * The user-level op being run. Composites (crossEntropy, embedding, ...) run their body inside
 * `withOpContext`, so that a backend which finds a problem later (the GPU, at the next read) can
 * name the op the user called and its shapes instead of the internal op (`gather`) that failed.
 * The outermost context wins. The cost is two module variables set and restored per call.
 */
export interface OpContext {
  /** The user-level op, e.g. `'crossEntropy'`. */
  readonly name: string;
  /** Its tensor arguments by name (`input`, `target`, ...); absent ones are skipped. */
  readonly inputs: Readonly<Record<string, Tensor | null | undefined>>;
}

let ctxName: string | null = null;
let ctxInputs: Readonly<Record<string, Tensor | null | undefined>> | null = null;

/**
 * Runs `fn` as the user-level op `name` with tensor arguments `inputs` (by name) and returns its
 * result. Nested calls keep the outermost context. Only the synchronous part of `fn` runs in the
 * context (GPU work is recorded synchronously, so that is all a backend needs).
 */
export function withOpContext<T>(
  name: string,
  inputs: Readonly<Record<string, Tensor | null | undefined>>,
  fn: () => T,
): T {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`withOpContext: name must be a non-empty string, got ${String(name)}`);
  }
  if (typeof inputs !== 'object' || inputs === null) {
    throw new TypeError(`withOpContext(${name}): inputs must be an object of named tensors`);
  }
  if (typeof fn !== 'function') {
    throw new TypeError(`withOpContext(${name}): fn must be a function, got ${typeof fn}`);
  }
  if (ctxName !== null) return fn();
  ctxName = name;
  ctxInputs = inputs;
  try {
    return fn();
  } finally {
    ctxName = null;
    ctxInputs = null;
  }
}

/** The user-level op being run (see `withOpContext`), or null outside any. */
export function currentOpContext(): OpContext | null {
  return ctxName === null ? null : { name: ctxName, inputs: ctxInputs! };
}

/**
 * The shapes of the current context's tensors in words, e.g. `'input [4,10], target [4]'` (shapes as errors print them), or
 * null outside any context. Backends record it when they queue a check that reports later.
 */
export function describeOpContextShapes(): string | null {
  if (ctxName === null) return null;
  const parts: string[] = [];
  for (const [k, t] of Object.entries(ctxInputs!)) {
    // Anything but a tensor (a bad argument the op itself rejects) is left out.
    const shape = (t as { shape?: unknown } | null | undefined)?.shape;
    if (Array.isArray(shape)) parts.push(`${k} ${fmt(shape)}`);
  }
  return parts.join(', ');
}
