/**
 * Where checkpoints live. Writes are atomic: a reader never sees a half-written file under its
 * final name (files are written to a temporary name, then renamed).
 */
export interface CheckpointStore {
  write(name: string, data: Uint8Array): Promise<void>;
  /** The file's bytes, or null when absent. */
  read(name: string): Promise<Uint8Array | null>;
  list(): Promise<string[]>;
  remove(name: string): Promise<void>;
}

/** A store in memory (browser sessions, tests). */
export function memoryStore(): CheckpointStore & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  return {
    files,
    async write(name, data) {
      files.set(name, data.slice());
    },
    async read(name) {
      return files.get(name)?.slice() ?? null;
    },
    async list() {
      return [...files.keys()];
    },
    async remove(name) {
      files.delete(name);
    },
  };
}

/** Node: a directory on disk (created when missing); atomic via write-to-temp, fsync, rename. */
export function fileStore(dir: string): CheckpointStore {
  const fs = () => import('node:fs/promises');
  const path = () => import('node:path');
  return {
    async write(name, data) {
      const [f, p] = await Promise.all([fs(), path()]);
      await f.mkdir(dir, { recursive: true });
      const final = p.join(dir, name);
      const tmp = `${final}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
      const fh = await f.open(tmp, 'w');
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await f.rename(tmp, final);
    },
    async read(name) {
      const [f, p] = await Promise.all([fs(), path()]);
      try {
        const b = await f.readFile(p.join(dir, name));
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
    async list() {
      const f = await fs();
      try {
        return (await f.readdir(dir)).filter((n) => !n.includes('.tmp-'));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
    },
    async remove(name) {
      const [f, p] = await Promise.all([fs(), path()]);
      await f.rm(p.join(dir, name), { force: true });
    },
  };
}
