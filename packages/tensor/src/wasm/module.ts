import { BINARIES } from './binaries.generated.js';
import type { KernelVariant } from './features.js';

// Compiling the kernel modules. The binaries are embedded (base64, see binaries.generated.ts) in
// the kernels' chunk rather than fetched as .wasm files: once the chunk is loaded (load.ts) a
// module is obtainable synchronously, in Node and in workers, and an embedded module needs no
// bundler configuration (beyond code splitting, which every bundler does), file-system access or
// separate request anywhere (Node, browsers, workers, Vitest on sources).

/** Decodes base64 (atob exists in browsers and Node >= 16). */
function decode(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Reads an unsigned LEB128 at `at`; returns [value, next position]. */
function leb(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const byte = b[at++]!;
    v += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [v, at];
    shift += 7;
  }
}

/**
 * The module with its memory import declared unshared (limits flag 0x03 → 0x01), for engines or
 * pages without SharedArrayBuffer; such a module runs on the calling thread only.
 */
function unshareMemory(bytes: Uint8Array): Uint8Array {
  const b = bytes.slice();
  let at = 8;
  while (at < b.length) {
    const id = b[at]!;
    const [size, body] = leb(b, at + 1);
    if (id === 2) {
      // The memory is the module's only import: count, module name, field name, kind, limits.
      let [len, p] = leb(b, leb(b, body)[1]);
      p += len;
      [len, p] = leb(b, p);
      p += len;
      if (b[p] !== 2) throw new Error('kernel module: the first import is not a memory');
      if (b[p + 1] === 0x03) b[p + 1] = 0x01;
      return b;
    }
    at = body + size;
  }
  throw new Error('kernel module: no memory import found');
}

/** The bytes of a kernel variant, with a shared or unshared memory import. */
export function kernelBytes(variant: KernelVariant, shared: boolean): Uint8Array {
  const bytes = decode(BINARIES[variant]);
  return shared ? bytes : unshareMemory(bytes);
}

/**
 * Compiles a variant synchronously, or returns null where the engine refuses synchronous
 * compilation of a module this size (a browser's main thread); use `compileKernelsAsync` there.
 */
export function compileKernels(variant: KernelVariant, shared: boolean): WebAssembly.Module | null {
  try {
    return new WebAssembly.Module(kernelBytes(variant, shared) as BufferSource);
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}

/** Compiles a variant asynchronously. */
export function compileKernelsAsync(variant: KernelVariant, shared: boolean): Promise<WebAssembly.Module> {
  return WebAssembly.compile(kernelBytes(variant, shared) as BufferSource);
}
