/**
 * Vitest global setup (vitest.config.ts): one folder per test run where the consumer tests share
 * the packed tarballs. The first test file that calls `packAll` packs into it (under a lock); the
 * others reuse the tarballs instead of packing all packages again (about 9 s each). The folder is
 * removed when the run ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The environment variable that carries the folder to the test workers (forks inherit it). */
export const PACK_CACHE_ENV = 'TESSERA_PACK_CACHE';

/** Creates the run's pack folder and hands it to the workers; returns its teardown. */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pack-cache-'));
  process.env[PACK_CACHE_ENV] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
