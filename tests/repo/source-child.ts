import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The outcome of a child process: exit status (null when killed by a signal) and its output. */
export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const hooks = pathToFileURL(fileURLToPath(new URL('./ts-source-hooks.mjs', import.meta.url))).href;

/**
 * Runs `script` (a .mjs or .ts file that imports `@tessera/*`) in a fresh `node` with the given
 * flags (e.g. `--max-old-space-size=96`), on the workspace sources: no build needed. The child
 * gets `--expose-gc`; its output and exit status are returned, never thrown.
 */
export function runSourceChild(
  script: string,
  args: readonly string[] = [],
  flags: readonly string[] = [],
  timeoutMs = 300_000,
): ChildResult {
  const register = join(tmpdir(), `tessera-source-hooks-${process.pid}.mjs`);
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(hooks)});\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', ...flags, '--import', register, script, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 2 ** 20,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
