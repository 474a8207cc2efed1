import { readFileSync } from 'node:fs';
import { tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { COPY_KEY, checkSingleCopy, type LoadedCopy } from '../src/single-copy.js';
import { VERSION } from '../src/version.js';

describe('second copy of @tessera/tensor', () => {
  it('VERSION is package.json version (scripts/sync-versions.mjs keeps them equal)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(pkg.version);
  });

  it('the loaded package recorded itself on globalThis', () => {
    expect(tensor([1]).shape).toEqual([1]);
    const loaded = (globalThis as Record<symbol, LoadedCopy | undefined>)[COPY_KEY];
    expect(loaded?.version).toBe(VERSION);
    expect(loaded?.url).toMatch(/packages\/tensor\/src\/index\.ts$/);
  });

  it('the same file loaded again is the same copy; another file is an error naming both', () => {
    const realm = {};
    checkSingleCopy('0.1.0', 'file:///app/node_modules/@tessera/tensor/dist/index.js', realm);
    checkSingleCopy('0.1.0', 'file:///app/node_modules/@tessera/tensor/dist/index.js', realm);
    // Hot reload re-evaluates the same file with a query.
    checkSingleCopy('0.1.0', 'http://localhost:5173/node_modules/@tessera/tensor/dist/index.js?t=1', {});
    const dev = {};
    checkSingleCopy('0.1.0', 'http://localhost:5173/src/index.ts', dev);
    checkSingleCopy('0.1.0', 'http://localhost:5173/src/index.ts?t=17#x', dev);
    let message = '';
    try {
      checkSingleCopy(
        '0.2.0',
        'file:///app/node_modules/@tessera/gpu/node_modules/@tessera/tensor/dist/index.js',
        realm,
      );
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(
      '@tessera/tensor is loaded twice: version 0.1.0 from file:///app/node_modules/@tessera/tensor/dist/index.js ' +
        'and version 0.2.0 from file:///app/node_modules/@tessera/gpu/node_modules/@tessera/tensor/dist/index.js',
    );
    expect(message).toContain('npm dedupe');
    expect(message).toContain('pin one version');
    // Two copies of one version at two paths are two copies too.
    expect(() => checkSingleCopy('0.1.0', 'file:///other/index.js', realm)).toThrow(/loaded twice/);
  });

  it('without module URLs (a bundle that hides import.meta.url) versions decide', () => {
    const realm = {};
    checkSingleCopy('0.1.0', undefined, realm);
    checkSingleCopy('0.1.0', '', realm);
    expect(() => checkSingleCopy('0.3.0', undefined, realm)).toThrow(
      /version 0\.1\.0 from \(unknown path\) and version 0\.3\.0 from \(unknown path\)/,
    );
  });
});
