// The native PyTorch column of the cross-framework benchmark: each row runs in
// /usr/bin/python3 (Debian's python3-torch, one thread) through bench/torch_row.py, which prints
// the same JSON line as bench/row.mjs. Without PyTorch the column is skipped with a note.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childResult } from './child-result.mjs';

const PYTHON = '/usr/bin/python3';
const script = fileURLToPath(new URL('torch_row.py', import.meta.url));

/**
 * The child's environment: the caller's, without the OpenBLAS overrides some machines set for
 * other programs (a forced core type or L2 size would pick slower kernels for PyTorch's BLAS).
 */
function env() {
  const e = { ...process.env };
  delete e.OPENBLAS_CORETYPE;
  delete e.OPENBLAS_L2_SIZE;
  return e;
}

/** Null when PyTorch can run, else why not (for the note under the table). */
export function torchUnavailable() {
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', env: env(), timeout: 120_000 });
    return null;
  } catch {
    return `${PYTHON} cannot import torch (install it with: apt-get install -y python3-torch libopenblas0-pthread)`;
  }
}

/** Runs one row with PyTorch; returns bench/row.mjs's result shape. */
export function runTorch(row, quick) {
  const args = [script, JSON.stringify(row)];
  if (quick) args.push('--quick');
  try {
    const out = execFileSync(PYTHON, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15 * 60_000,
      env: env(),
    });
    return childResult(out);
  } catch (e) {
    return {
      ok: false,
      reason: `crashed: ${String(e.stderr || e.message)
        .trim()
        .split('\n')
        .at(-1)}`,
    };
  }
}
