/**
 * Node built-ins and the optional `cli-progress` package, loaded on first use through computed
 * specifiers so that browser bundlers (esbuild, webpack, Vite, Rollup) never try to resolve them;
 * outside Node the callers throw an error that names the browser-side alternative instead.
 */

/** True when running under Node (or a runtime that provides Node's built-ins, such as Bun or Deno). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** Imports a module whose name bundlers must leave alone (a Node built-in or an optional package). */
function importHidden<M>(spec: string): Promise<M> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ spec) as Promise<M>;
}

/** Node's `fs/promises` and `path` for `op`; outside Node a clear error saying what to use (`instead`). */
export async function nodeFsPath(
  op: string,
  instead: string,
): Promise<[typeof import('node:fs/promises'), typeof import('node:path')]> {
  if (!isNode()) throw new Error(`${op} needs Node's file system; ${instead}`);
  return Promise.all([
    importHidden<typeof import('node:fs/promises')>('node:fs/promises'),
    importHidden<typeof import('node:path')>('node:path'),
  ]);
}

/** Node's `crypto`, or null outside Node. */
export async function nodeCrypto(): Promise<typeof import('node:crypto') | null> {
  return isNode() ? importHidden<typeof import('node:crypto')>('node:crypto') : null;
}

/** The part of cli-progress that ProgressBar uses. */
export interface CliProgress {
  SingleBar: new (
    opts: object,
    preset: object,
  ) => {
    start(total: number, value: number, payload?: object): void;
    update(value: number, payload?: object): void;
    stop(): void;
  };
  Presets: { shades_classic: object };
}

/**
 * The optional `cli-progress` package, or null when it is not installed or this is not Node
 * (ProgressBar then prints plain lines).
 */
export async function loadCliProgress(): Promise<CliProgress | null> {
  if (!isNode()) return null;
  try {
    // cli-progress is CommonJS: its namespace arrives as `default` under ESM.
    const mod = await importHidden<CliProgress & { default?: CliProgress }>('cli-progress');
    return mod.default ?? mod;
  } catch {
    return null;
  }
}
