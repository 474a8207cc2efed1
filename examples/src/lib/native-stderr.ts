import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Dawn's warnings about lavapipe's limits, printed by native code when an adapter is created:
 * `Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 ...`.
 * Harmless (the reduced limits are far above what the kernels use).
 */
export const DAWN_LIMIT_WARNING =
  /^Warning: maxDynamic\w+PerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.\r?\n/gm;

/** Reopens `path` as the lowest free descriptor, which must come out as 2 (stderr). */
function openAsStderr(path: string, flags: string): boolean {
  const fd = openSync(path, flags);
  if (fd === 2) return true;
  closeSync(fd);
  return false;
}

/**
 * Runs `fn` with file descriptor 2 pointed at a temporary file, so that what native code (Dawn)
 * writes there can be filtered: afterwards stderr is restored and the captured text, minus the
 * lines `drop` matches, is written to it. Node has no dup2, so the descriptor is swapped by closing
 * 2 and opening the next file, which takes the lowest free number; stderr is reopened through
 * /proc/self/fd. Where that is not possible (not Linux, stderr a socket, a descriptor race) `fn`
 * simply runs unfiltered: this never hides an error, it only removes known noise.
 */
export async function filterNativeStderr<T>(
  fn: () => Promise<T>,
  drop: RegExp = DAWN_LIMIT_WARNING,
): Promise<T> {
  if (process.platform !== 'linux') return fn();
  let saved: number;
  try {
    saved = openSync('/proc/self/fd/2', 'a'); // a second handle on whatever stderr is
  } catch {
    return fn();
  }
  const capture = join(tmpdir(), `tessera-stderr-${process.pid}-${Math.random().toString(36).slice(2)}`);
  let swapped = false;
  try {
    closeSync(2);
    swapped = openAsStderr(capture, 'w+');
    if (!swapped) openAsStderr(`/proc/self/fd/${saved}`, 'a');
  } catch {
    // fd 2 may be closed here: get stderr back before anything else.
    openAsStderr(`/proc/self/fd/${saved}`, 'a');
  }
  if (!swapped) {
    closeSync(saved);
    return fn();
  }
  try {
    return await fn();
  } finally {
    let text = '';
    try {
      text = readFileSync(capture, 'utf8');
    } catch {}
    closeSync(2);
    const restored = openAsStderr(`/proc/self/fd/${saved}`, 'a');
    const kept = text.replace(drop, '');
    if (kept !== '') writeSync(restored ? 2 : saved, kept);
    if (restored) closeSync(saved);
    rmSync(capture, { force: true });
  }
}
