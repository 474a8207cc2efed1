// scripts/lib/foreground.mjs runs the demo's dev server for `npm run demo`: Ctrl+C must stop it
// quietly with status 0, while a real failure keeps its status.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('../../scripts/lib/foreground.mjs', import.meta.url));

/** A node process that runs `command` through runForeground and exits with the status it gives. */
function wrapper(command: string): ChildProcess {
  const code = `const m = await import(${JSON.stringify(MODULE)}); process.exit(await m.runForeground(${JSON.stringify(command)}));`;
  return spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Collects the output and waits for the exit status. */
function finish(
  p: ChildProcess,
  onOut?: (text: string) => void,
): Promise<{ code: number | null; err: string }> {
  let err = '';
  p.stdout!.on('data', (b) => onOut?.(String(b)));
  p.stderr!.on('data', (b) => (err += b));
  return new Promise((resolve) => p.on('exit', (code) => resolve({ code, err })));
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-foreground-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let scripts = 0;
/** A shell command line running `js` in node (from a file: a script line like the demo's `vite`). */
function node(js: string): string {
  const file = join(dir, `child-${scripts++}.cjs`);
  writeFileSync(file, js);
  return `${process.execPath} ${file}`;
}

describe('runForeground (npm run demo)', () => {
  it('Ctrl+C (SIGINT) stops the command and ends with status 0, printing nothing', async () => {
    const p = wrapper(node("console.log('ready'); setInterval(() => {}, 1000)"));
    const r = await finish(p, (text) => {
      if (text.includes('ready')) p.kill('SIGINT');
    });
    expect(r).toEqual({ code: 0, err: '' });
  }, 20_000);

  it('a command that handles SIGINT and exits with 130 also counts as stopped', async () => {
    const js =
      "process.on('SIGINT', () => process.exit(130)); console.log('ready'); setInterval(() => {}, 1000)";
    const p = wrapper(node(js));
    const r = await finish(p, (text) => {
      if (text.includes('ready')) p.kill('SIGINT');
    });
    expect(r).toEqual({ code: 0, err: '' });
  }, 20_000);

  it('a command that fails on its own keeps its status', async () => {
    expect((await finish(wrapper(node('process.exit(3)')))).code).toBe(3);
    expect((await finish(wrapper(node('0')))).code).toBe(0);
  }, 20_000);

  it('shellQuote leaves plain words alone and quotes the rest', async () => {
    const code = `const { shellQuote } = await import(${JSON.stringify(MODULE)}); console.log(JSON.stringify(['--port=5174', 'a b', "it's"].map(shellQuote)));`;
    let out = '';
    const p = spawn(process.execPath, ['--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const r = await finish(p, (t) => (out += t));
    expect(r.code).toBe(0);
    expect(JSON.parse(out)).toEqual(['--port=5174', "'a b'", `'it'\\''s'`]);
  });
});
