// Wording helpers for errors the WebGPU runtime reports.

/** The kind of a GPUError, in words (`validation`, `out-of-memory`, ...). */
export function kindOf(e: GPUError): string {
  const n = e.constructor?.name ?? '';
  if (n.includes('Validation')) return 'validation';
  if (n.includes('OutOfMemory')) return 'out-of-memory';
  if (n.includes('Internal')) return 'internal';
  return 'GPU';
}

/** A short list of the ops of a batch, for error messages. */
export function summary(ops: readonly string[]): string {
  if (ops.length === 0) return 'no ops';
  const names = [...new Set(ops)];
  return `${ops.length} op${ops.length > 1 ? 's' : ''}: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''}`;
}
