import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  availability,
  chromiumPath,
  describeIfAvailable,
  gate,
  itIfAvailable,
  MNIST_FILES,
  mnistAvailability,
  mnistDir,
  required,
} from './requirements.js';

describe('requirements helper', () => {
  it('chromiumPath takes the first existing candidate, or null', () => {
    expect(chromiumPath(['/nonexistent/chromium', process.execPath])).toBe(process.execPath);
    expect(chromiumPath([undefined, '/nonexistent/chromium'])).toBeNull();
  });

  it('reports each requirement with a detail, or a reason and how to enable it', () => {
    for (const r of ['chromium', 'webgpu', 'mnist'] as const) {
      const a = availability(r);
      if (a.available) expect(a.detail).not.toBe('');
      else expect(a.enable).toMatch(/install-system-deps|pnpm install|CHROMIUM_PATH|TESSERA_MNIST_DIR/);
    }
  });
});

// What this machine offers: these run, or show up as skipped with the reason in their name.
itIfAvailable('chromium', 'Chromium is installed', () => {
  expect(chromiumPath()).not.toBeNull();
});
describeIfAvailable('webgpu', 'WebGPU in Node', () => {
  it('Dawn finds an adapter', () => {
    expect(availability('webgpu').available).toBe(true);
  });
});

describe('mnist requirement', () => {
  const files = (dir: string) => {
    mkdirSync(dir, { recursive: true });
    for (const f of MNIST_FILES) writeFileSync(join(dir, f), '');
  };
  const base = mkdtempSync(join(tmpdir(), 'tessera-req-'));
  const repo = join(base, 'main');
  mkdirSync(repo);
  const fix = 'set TESSERA_MNIST_DIR or place the dataset in ../shared/datasets/mnist';

  it('without TESSERA_MNIST_DIR or ../shared it is missing, with the fix in the skip label', () => {
    const a = mnistAvailability({}, repo);
    expect(a).toEqual({ available: false, reason: 'MNIST not found', enable: fix });
    expect(mnistDir({}, repo)).toBeNull();
    expect(gate('mnist', 'MNIST test', a, {})).toEqual({
      run: false,
      label: `MNIST test [skipped: MNIST not found; ${fix}]`,
    });
  });

  it('falls back to ../shared/datasets/mnist beside the repository only when it holds both files', () => {
    const shared = join(base, 'shared/datasets/mnist');
    mkdirSync(shared, { recursive: true });
    writeFileSync(join(shared, MNIST_FILES[0]), '');
    expect(mnistDir({}, repo)).toBeNull(); // labels missing
    files(shared);
    expect(mnistDir({}, repo)).toBe(shared);
  });

  it('TESSERA_MNIST_DIR wins over the fallback, and a wrong one is reported, not replaced', () => {
    const own = join(base, 'own');
    files(own);
    expect(mnistDir({ TESSERA_MNIST_DIR: own }, repo)).toBe(own);
    const a = mnistAvailability({ TESSERA_MNIST_DIR: '/nonexistent' }, repo);
    expect(a.available).toBe(false);
    if (!a.available) {
      expect(a.reason).toContain('TESSERA_MNIST_DIR=/nonexistent');
      expect(a.reason).toContain(MNIST_FILES[1]);
      expect(a.enable).toContain('TESSERA_MNIST_DIR');
    }
    expect(mnistDir({ TESSERA_MNIST_DIR: '/nonexistent' }, repo)).toBeNull();
  });

  it('TESSERA_REQUIRE=mnist or =all turns the skip into a failure naming the fix', () => {
    const a = mnistAvailability({}, mkdtempSync(join(tmpdir(), 'tessera-req-bare-'))); // no ../shared there
    for (const TESSERA_REQUIRE of ['mnist', 'all', 'webgpu, mnist']) {
      expect(required('mnist', { TESSERA_REQUIRE })).toBe(true);
      const g = gate('mnist', 'MNIST test', a, { TESSERA_REQUIRE });
      expect('error' in g && g.error.message).toBe(
        `mnist is required (TESSERA_REQUIRE) but MNIST not found; ${fix}`,
      );
    }
    expect(required('mnist', { TESSERA_REQUIRE: 'chromium,webgpu' })).toBe(false);
    expect(required('mnist', {})).toBe(false);
  });

  it('mnistDir agrees with availability on this machine', () => {
    const a = availability('mnist');
    expect(mnistDir()).toBe(a.available ? a.detail : null);
  });
});

// Runs where the MNIST test files are found, else is listed as skipped with the reason and the fix.
itIfAvailable('mnist', 'the MNIST test files are present', () => {
  const dir = mnistDir();
  expect(dir).not.toBeNull();
  for (const f of MNIST_FILES) expect(existsSync(join(dir!, f))).toBe(true);
});
