import { concatBytes } from './gzip.js';

/** Progress of a download: bytes received so far and the total when the server says it. */
export interface DownloadProgress {
  /** File being loaded (its name or URL). */
  file: string;
  loaded: number;
  /** Total bytes, when known (Content-Length). */
  total: number | undefined;
  /** True when the bytes came from the cache instead of the network. */
  cached: boolean;
}

/** A byte store keyed by URL, so a second visit does not download again. */
export interface DatasetCache {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

/** The fetch function shape used for downloads (the global `fetch` by default). */
export type FetchLike = (url: string) => Promise<Response>;

/** Options of `download`. */
export interface DownloadOptions {
  fetch?: FetchLike;
  /** A cache, `true` for the browser cache (`browserCache()`), false/undefined for none. */
  cache?: DatasetCache | boolean;
  onProgress?: (p: DownloadProgress) => void;
  /** Name for progress and errors (default: the URL). */
  name?: string;
}

/**
 * The browser's persistent cache: the Cache API when available, else IndexedDB; undefined where
 * neither exists (Node). Entries live under the cache/database name `name`.
 */
export function browserCache(name = 'tessera-datasets'): DatasetCache | undefined {
  const g = globalThis as { caches?: CacheStorage; indexedDB?: IDBFactory };
  if (g.caches !== undefined && typeof g.caches.open === 'function') return cacheApiStore(g.caches, name);
  if (g.indexedDB !== undefined) return indexedDbStore(g.indexedDB, name);
  return undefined;
}

function cacheApiStore(caches: CacheStorage, name: string): DatasetCache {
  return {
    async get(key) {
      const res = await (await caches.open(name)).match(key);
      return res ? new Uint8Array(await res.arrayBuffer()) : undefined;
    },
    async put(key, bytes) {
      const res = new Response(bytes as Uint8Array<ArrayBuffer>, {
        headers: { 'content-length': String(bytes.length) },
      });
      await (await caches.open(name)).put(key, res);
    },
  };
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

function indexedDbStore(idb: IDBFactory, name: string): DatasetCache {
  const STORE = 'files';
  let db: Promise<IDBDatabase> | undefined;
  const open = (): Promise<IDBDatabase> => {
    if (db === undefined) {
      const r = idb.open(name, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(STORE);
      db = request(r);
    }
    return db;
  };
  return {
    async get(key) {
      const tx = (await open()).transaction(STORE, 'readonly');
      const v = await request(tx.objectStore(STORE).get(key));
      return v instanceof ArrayBuffer ? new Uint8Array(v) : v instanceof Uint8Array ? v : undefined;
    },
    async put(key, bytes) {
      const tx = (await open()).transaction(STORE, 'readwrite');
      await request(tx.objectStore(STORE).put(bytes.slice().buffer, key));
    },
  };
}

function cacheOf(c: DatasetCache | boolean | undefined): DatasetCache | undefined {
  if (c === true) return browserCache();
  if (c === false || c === undefined) return undefined;
  if (typeof c.get !== 'function' || typeof c.put !== 'function') {
    throw new TypeError(
      'download: cache must be true, false, or an object with get(key) and put(key, bytes)',
    );
  }
  return c;
}

/**
 * Downloads `url` as bytes, reporting progress as chunks arrive; with a cache, returns the cached
 * copy when present and stores fresh downloads. A failed cache read/write only skips the cache.
 */
export async function download(url: string, opts: DownloadOptions = {}): Promise<Uint8Array> {
  const file = opts.name ?? url;
  const cache = cacheOf(opts.cache);
  const progress = opts.onProgress;
  if (cache) {
    const hit = await cache.get(url).catch(() => undefined);
    if (hit !== undefined) {
      progress?.({ file, loaded: hit.length, total: hit.length, cached: true });
      return hit;
    }
  }
  const fetchFn = opts.fetch ?? (globalThis.fetch as FetchLike | undefined);
  if (typeof fetchFn !== 'function')
    throw new Error(`download: ${file}: no fetch function available; pass one as the fetch option`);
  let res: Response;
  try {
    res = await fetchFn(url);
  } catch (e) {
    throw new Error(`download: ${file}: request to ${url} failed: ${(e as Error).message ?? String(e)}`);
  }
  if (!res.ok)
    throw new Error(
      `download: ${file}: GET ${url} failed with HTTP ${res.status} ${res.statusText}`.trimEnd(),
    );
  const header = Number(res.headers.get('content-length'));
  let total = Number.isFinite(header) && header > 0 ? header : undefined;
  let bytes: Uint8Array;
  if (res.body === null) {
    bytes = new Uint8Array(await res.arrayBuffer());
    progress?.({ file, loaded: bytes.length, total: bytes.length, cached: false });
  } else {
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    progress?.({ file, loaded: 0, total, cached: false });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      // With Content-Encoding the header counts compressed bytes; stop claiming a total then.
      if (total !== undefined && loaded > total) total = undefined;
      progress?.({ file, loaded, total, cached: false });
    }
    bytes = concatBytes(chunks, loaded);
    if (total === undefined) progress?.({ file, loaded, total: loaded, cached: false });
  }
  if (cache) await cache.put(url, bytes).catch(() => {});
  return bytes;
}
