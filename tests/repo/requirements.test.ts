import { describe, expect, it } from 'vitest';
import { availability, chromiumPath, describeIfAvailable, itIfAvailable } from './requirements.js';

describe('requirements helper', () => {
  it('chromiumPath takes the first existing candidate, or null', () => {
    expect(chromiumPath(['/nonexistent/chromium', process.execPath])).toBe(process.execPath);
    expect(chromiumPath([undefined, '/nonexistent/chromium'])).toBeNull();
  });

  it('reports each requirement with a detail, or a reason and how to enable it', () => {
    for (const r of ['chromium', 'webgpu'] as const) {
      const a = availability(r);
      if (a.available) expect(a.detail).not.toBe('');
      else expect(a.enable).toMatch(/install-system-deps|pnpm install|CHROMIUM_PATH/);
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
