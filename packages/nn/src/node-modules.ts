/**
 * Node built-ins for the Node-only file helpers (`saveFile`, `loadFile`), loaded on first use
 * through a computed specifier so that browser bundlers (esbuild, webpack, Vite, Rollup) never try
 * to resolve `node:fs/promises`; in a browser the helpers throw an error that names the
 * browser-side alternative instead.
 */

/** True when running under Node (or a runtime that provides Node's built-ins, such as Bun or Deno). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/**
 * Node's `fs/promises` for `op`; outside Node a clear error saying what to use there (`instead`).
 */
export async function nodeFs(op: string, instead: string): Promise<typeof import('node:fs/promises')> {
  if (!isNode()) throw new Error(`${op} needs Node's file system; ${instead}`);
  const spec = 'node:fs/promises';
  return (await import(
    /* @vite-ignore */ /* webpackIgnore: true */ spec
  )) as typeof import('node:fs/promises');
}
