import { nodeFsPath } from './node-modules.js';

/**
 * Where checkpoints live. Writes are atomic: a reader never sees a half-written file under its
 * final name (files are written to a temporary name, then renamed). Names are plain file names
 * (no directories).
 */
export interface CheckpointStore {
  write(name: string, data: Uint8Array): Promise<void>;
  /** The file's bytes, or null when absent. */
  read(name: string): Promise<Uint8Array | null>;
  /** Names of the complete files (never temporary ones). */
  list(): Promise<string[]>;
  remove(name: string): Promise<void>;
  /** Deletes temporary files left by interrupted writes; returns their names. Optional. */
  removeTemporary?(): Promise<string[]>;
}

/** A store in memory (browser sessions, tests). */
export function memoryStore(): CheckpointStore & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  return {
    files,
    async write(name, data) {
      files.set(checkName(name), data.slice());
    },
    async read(name) {
      return files.get(checkName(name))?.slice() ?? null;
    },
    async list() {
      return [...files.keys()];
    },
    async remove(name) {
      files.delete(checkName(name));
    },
  };
}

const TMP = '.tmp-';

/**
 * Throws unless `name` is a plain file name: no path separators, not `.` or `..`, no NUL, not
 * empty, and not a temporary name; so a store never reads or writes outside its directory.
 */
export function checkName(name: string): string {
  if (
    typeof name !== 'string' ||
    name === '' ||
    name === '.' ||
    name === '..' ||
    /[/\\\0]/.test(name) ||
    name.includes(TMP) ||
    name.length > 255
  )
    throw new RangeError(
      `checkpoint store: ${JSON.stringify(String(name).slice(0, 80))} is not a plain file name`,
    );
  return name;
}

/** Node: a directory on disk (created when missing); atomic via write-to-temp, fsync, rename. */
export function fileStore(dir: string): CheckpointStore {
  const node = () =>
    nodeFsPath(
      'fileStore',
      'in the browser use memoryStore() or a CheckpointStore of your own (IndexedDB, OPFS)',
    );
  // Temporary files of writes in flight in this process, which removeTemporary leaves alone.
  const inFlight = new Set<string>();
  return {
    async write(name, data) {
      const [f, p] = await node();
      await f.mkdir(dir, { recursive: true });
      const final = p.join(dir, checkName(name));
      const tmpName = `${name}${TMP}${process.pid}-${Math.random().toString(36).slice(2)}`;
      const tmp = p.join(dir, tmpName);
      inFlight.add(tmpName);
      try {
        const fh = await f.open(tmp, 'w');
        try {
          await fh.writeFile(data);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await f.rename(tmp, final);
      } catch (e) {
        await f.rm(tmp, { force: true });
        throw e;
      } finally {
        inFlight.delete(tmpName);
      }
    },
    async read(name) {
      const [f, p] = await node();
      try {
        const b = await f.readFile(p.join(dir, checkName(name)));
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
    async list() {
      const [f] = await node();
      try {
        return (await f.readdir(dir)).filter((n) => !n.includes(TMP));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
    },
    async remove(name) {
      const [f, p] = await node();
      await f.rm(p.join(dir, checkName(name)), { force: true });
    },
    async removeTemporary() {
      const [f, p] = await node();
      let names: string[];
      try {
        names = await f.readdir(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
      const removed: string[] = [];
      for (const n of names.filter((x) => x.includes(TMP) && !inFlight.has(x))) {
        try {
          await f.rm(p.join(dir, n), { force: true });
          removed.push(n);
        } catch {
          // Not a plain file (a directory someone named so): not ours to delete.
        }
      }
      return removed;
    },
  };
}
