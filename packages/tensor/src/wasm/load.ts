import { nodeBuiltin } from './features.js';
import { settings } from './settings.js';
import type { WasmKernels } from './types.js';

// Loading the WebAssembly kernels' chunk (kernels.ts: the drivers, the thread pool and the base64
// binaries), which nothing imports statically:
// - everywhere, `import('./kernels.js')`: bundlers split it into a chunk of its own, fetched on
//   first use; Node reads it as a file. Ops stay synchronous: until it has loaded, the TypeScript
//   kernels run (`initCpuKernels()` awaits the load);
// - in Node, first `require('./kernels.js')` (require(esm): Node >= 20.19 / 22.12), so that a
//   script that never yields (a synchronous training loop) gets the WebAssembly kernels from its
//   first big op, as before they were split off. Where that fails (older Node, Vitest on sources,
//   a bundle) the asynchronous import takes over. Nothing is loaded at import time.

/** The module kernels.ts, as both loaders see it. */
interface KernelsChunk {
  kernels: WasmKernels;
  owner: object;
}

let loaded: WasmKernels | null = null;
let loading: Promise<WasmKernels | null> | null = null;
let failure: string | null = null;

/** The loaded kernels, or null (not asked for yet, loading, or failed: see `loadFailure`). */
export function loadedKernels(): WasmKernels | null {
  return loaded;
}

/** Where loading the kernels stands: not asked for yet, under way, done, or failed. */
export function kernelsState(): 'idle' | 'loading' | 'loaded' | 'failed' {
  if (loaded !== null) return 'loaded';
  if (failure !== null) return 'failed';
  return loading === null ? 'idle' : 'loading';
}

/** Why the kernels' chunk failed to load, if it did. */
export function loadFailure(): string | null {
  return failure;
}

/**
 * The kernels if they are loaded by the time this returns: starts loading them on the first call
 * (synchronously in Node where it can, else in the background) and returns null until they are.
 */
export function requestKernels(): WasmKernels | null {
  if (loaded === null && loading === null && failure === null) {
    loaded = requireChunk();
    if (loaded === null) void loadKernels();
  }
  return loaded;
}

/** Loads the kernels' chunk (once); resolves to the kernels, or null when it failed to load. */
export function loadKernels(): Promise<WasmKernels | null> {
  if (loaded !== null) return Promise.resolve(loaded);
  if (failure !== null) return Promise.resolve(null);
  // The chunk's name for webpack (Vite, Rollup and esbuild name it after the file: kernels-*.js).
  loading ??= import(/* webpackChunkName: "tessera-wasm-kernels" */ './kernels.js').then(
    (chunk: KernelsChunk) => {
      loaded = chunk.kernels;
      return loaded;
    },
    (e: unknown) => {
      failure = `the WebAssembly kernels failed to load: ${(e as Error).message}`;
      return null;
    },
  );
  return loading;
}

/** The kernels through Node's require(esm), or null where that is not possible. */
function requireChunk(): WasmKernels | null {
  const mod = nodeBuiltin<{ createRequire(url: string): (id: string) => unknown }>('module');
  if (mod === undefined) return null;
  try {
    const chunk = mod.createRequire(import.meta.url)('./kernels.js') as Partial<KernelsChunk>;
    // A bundle may have moved this code away from its files: kernels found beside the original
    // files belong to another copy of the package (other settings) and are not used.
    return chunk.owner === settings && chunk.kernels !== undefined ? chunk.kernels : null;
  } catch {
    return null;
  }
}
