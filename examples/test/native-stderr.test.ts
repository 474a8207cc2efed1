// Dawn's limit warnings come from native code, straight to file descriptor 2: checked in a child
// process (the module transpiled to JavaScript) whose stderr this test reads.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { DAWN_LIMIT_WARNING } from '../src/lib/native-stderr.js';

const WARNING =
  'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.\n';

const dir = mkdtempSync(join(tmpdir(), 'tessera-native-stderr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const source = readFileSync(new URL('../src/lib/native-stderr.ts', import.meta.url), 'utf8');
const js = ts.transpileModule(source, {
  compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
}).outputText;
writeFileSync(join(dir, 'native-stderr.mjs'), js);

/**
 * Runs `body` (module code with filterNativeStderr and writeSync in scope) in a child whose stderr
 * is a shell pipe, a file, or a socket (what Node's own `stdio: 'pipe'` gives); returns that stderr.
 */
function run(
  body: string,
  stderr: 'pipe' | 'file' | 'socket' = 'pipe',
): { status: number | null; stderr: string } {
  const script = join(dir, `child-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    script,
    `import { writeSync } from 'node:fs';\nimport { filterNativeStderr } from './native-stderr.mjs';\n${body}\n`,
  );
  const node = `"${process.execPath}" "${script}"`;
  if (stderr === 'socket') {
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr };
  }
  if (stderr === 'pipe') {
    const r = spawnSync('sh', ['-c', `${node} 2>&1 >/dev/null | cat`], { encoding: 'utf8' });
    return { status: r.status, stderr: r.stdout };
  }
  const log = join(dir, 'stderr.log');
  const r = spawnSync('sh', ['-c', `${node} 2>"${log}"`], { encoding: 'utf8' });
  return { status: r.status, stderr: readFileSync(log, 'utf8') };
}

describe.runIf(process.platform === 'linux')('filterNativeStderr', () => {
  const body = `
const value = await filterNativeStderr(async () => {
  writeSync(2, ${JSON.stringify(WARNING)});
  writeSync(2, 'native: kept\\n');
  await new Promise((r) => setTimeout(r, 10));
  return 42;
});
writeSync(2, 'after: ' + value + '\\n');
process.stderr.write('js after\\n');`;

  it("drops Dawn's limit warnings written to fd 2 and keeps everything else, stderr a pipe", () => {
    const r = run(body);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('native: kept\nafter: 42\njs after\n');
  });

  it('the same with stderr redirected to a file', () => {
    const r = run(body, 'file');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('native: kept\nafter: 42\njs after\n');
  });

  it('with stderr a socket (cannot be reopened) it runs unfiltered and loses nothing', () => {
    const r = run(body, 'socket');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`${WARNING}native: kept\nafter: 42\njs after\n`);
  });

  it('restores stderr when the function throws, and the error propagates', () => {
    const r = run(`
try {
  await filterNativeStderr(async () => { writeSync(2, ${JSON.stringify(WARNING)}); throw new Error('boom'); });
} catch (e) { writeSync(2, 'caught ' + e.message + '\\n'); }`);
    expect(r).toEqual({ status: 0, stderr: 'caught boom\n' });
  });

  it('matches only the whole warning lines', () => {
    expect(`x\n${WARNING}y\n`.replace(DAWN_LIMIT_WARNING, '')).toBe('x\ny\n');
    expect(
      'Warning: maxDynamicUniformBuffersPerPipelineLayout is fine\n'.replace(DAWN_LIMIT_WARNING, ''),
    ).toBe('Warning: maxDynamicUniformBuffersPerPipelineLayout is fine\n');
  });
});
