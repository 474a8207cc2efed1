#!/usr/bin/env node
// Cross-framework CPU benchmark (`pnpm bench`): Tessera next to TensorFlow.js (tfjs-backend-cpu
// and tfjs-backend-wasm 4.22), for plain matmul onnxruntime-node, and native PyTorch on one thread
// where Debian's python3-torch is installed (bench/torch.mjs; else the column is skipped with a
// note). Every (row, framework) pair runs in a fresh process (bench/row.mjs), one after the
// other, so no pair inherits another's JIT state, heap or thread pool. Prints a markdown table of medians with speed-up ratios and writes
// the results as JSON to bench-results/ (git-ignored). Needs built packages (`pnpm build`).
//
//   node bench/run.mjs [--quick] [--rows matmul-256,mlp-step] [--fw tessera,tfjs-wasm]

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { childResult } from './child-result.mjs';
import { FRAMEWORKS, ROWS } from './rows.mjs';
import { runTorch, torchUnavailable } from './torch.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1].split(',');
};
const quick = process.argv.includes('--quick');
const rows = ROWS.filter((r) => !arg('rows') || arg('rows').includes(r.id));
let fws = FRAMEWORKS.filter((f) => !arg('fw') || arg('fw').includes(f.id));
// Native PyTorch (one thread) runs only where python3-torch is installed.
const torchMissing = fws.some((f) => f.id === 'torch') ? torchUnavailable() : null;
if (torchMissing !== null) fws = fws.filter((f) => f.id !== 'torch');

/** Runs one pair in a child process; returns its JSON result. */
function runPair(row, fw) {
  if (fw.id === 'torch') return runTorch(row, quick);
  const args = [fileURLToPath(new URL('row.mjs', import.meta.url)), '--row', row.id, '--fw', fw.id];
  if (quick) args.push('--quick');
  let out = '';
  try {
    out = execFileSync(process.execPath, args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15 * 60_000,
      maxBuffer: 64 << 20,
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
    });
  } catch (e) {
    out = e.stdout ?? '';
    if (!out.includes('{'))
      return { ok: false, reason: `crashed: ${String(e.stderr || e.message).split('\n')[0]}` };
  }
  return childResult(out);
}

const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const load = () => loadavg().map((l) => l.toFixed(2));

const started = new Date();
const loadBefore = load();
const results = [];
for (const row of rows) {
  for (const fw of fws) {
    process.stderr.write(`${row.id} / ${fw.id} ... `);
    const r = { row: row.id, fw: fw.id, ...runPair(row, fw) };
    results.push(r);
    process.stderr.write(r.ok ? `${fmtMs(r.median)} ms\n` : `${r.reason}\n`);
  }
}
const loadAfter = load();

// Markdown table: one column per framework (median ms; GFLOP/s where the row has a flop count),
// then Tessera's speed-up over each tfjs backend and PyTorch (their time / Tessera time).
const cell = (row, r) => {
  if (r === undefined) return '';
  if (!r.ok) return r.unsupported ? `unsupported (${r.reason})` : `n/a (${r.reason})`;
  const gf = row.flops ? ` (${(row.flops / r.median / 1e6).toFixed(1)} GFLOP/s)` : '';
  return `${fmtMs(r.median)} ms${gf}`;
};
const ratio = (a, b) => {
  if (!a?.ok || !b?.ok) return '—';
  const r = b.median / a.median;
  return `${r.toFixed(r < 1 ? 2 : 1)}x`;
};
const head = ['row', ...fws.map((f) => f.title)];
const compared = fws.filter((f) => f.id.startsWith('tfjs') || f.id === 'torch');
if (fws.some((f) => f.id === 'tessera')) head.push(...compared.map((f) => `Tessera vs ${f.title}`));
const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
for (const row of rows) {
  const get = (fw) => results.find((r) => r.row === row.id && r.fw === fw);
  const cells = [row.title, ...fws.map((f) => cell(row, get(f.id)))];
  if (fws.some((f) => f.id === 'tessera'))
    cells.push(...compared.map((f) => ratio(get('tessera'), get(f.id))));
  lines.push(`| ${cells.join(' | ')} |`);
}
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const header = [
  `Node ${process.version}, ${cpus().length} x ${cpu}, ${quick ? 'quick run' : 'full run'}, ${started.toISOString()}`,
  `load average (1, 5, 15 min) before: ${loadBefore.join(', ')}; after: ${loadAfter.join(', ')}`,
  'Medians per step; every (row, framework) pair in its own process.',
];
const tessera = results.filter((r) => r.fw.startsWith('tessera') && r.ok && r.copyShare !== undefined);
const notes = tessera.map(
  (r) =>
    `- ${r.row} (${r.fw}): WebAssembly kernels ${(100 * r.kernelShare).toFixed(0)}% of the step, of which copying in/out ${(100 * r.copyShare).toFixed(1)}%`,
);
const table = [
  ...header,
  '',
  ...lines,
  '',
  ...(notes.length ? ['Tessera kernel time and copy share:', ...notes] : []),
  ...(torchMissing !== null ? ['', `PyTorch column skipped: ${torchMissing}.`] : []),
].join('\n');
console.log(table);

const dir = `${root}bench-results`;
mkdirSync(dir, { recursive: true });
const json = JSON.stringify(
  { started: started.toISOString(), node: process.version, cpu, loadBefore, loadAfter, quick, rows, results },
  null,
  2,
);
const stamp = started.toISOString().replace(/[:.]/g, '-');
writeFileSync(`${dir}/bench-${stamp}.json`, json);
writeFileSync(`${dir}/latest.json`, json);
writeFileSync(`${dir}/latest.md`, `${table}\n`);
console.error(`\nwrote bench-results/bench-${stamp}.json (and latest.json, latest.md)`);
