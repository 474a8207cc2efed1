// The dev server sends the cross-origin isolation headers (threaded CPU kernels need them) and
// serves the local MNIST folder; the preview server is checked in demo.test.ts.
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mnistDir } from '../mnist-plugin.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const MNIST = mnistDir(appDir);

describe('dev server', () => {
  let server: ViteDevServer;
  let base = '';
  beforeAll(async () => {
    server = await createServer({
      configFile: `${appDir}vite.config.ts`,
      root: appDir,
      logLevel: 'error',
      server: { host: '127.0.0.1', port: 0, strictPort: false },
    });
    await server.listen();
    base = server.resolvedUrls!.local[0]!;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('sends the cross-origin isolation headers', async () => {
    const res = await fetch(base);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await res.text()).toContain('<nav class="tabs"');
  });

  (MNIST ? it : it.skip)('serves the local MNIST folder with its index', async () => {
    const res = await fetch(`${base}datasets/mnist/index.json`);
    const { files } = (await res.json()) as { files: string[] };
    expect(files).toContain('t10k-images-idx3-ubyte.gz');
    const file = await fetch(`${base}datasets/mnist/t10k-labels-idx1-ubyte.gz`);
    expect(file.status).toBe(200);
    expect(file.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    // Only the listed IDX files: no way out of the folder.
    expect((await fetch(`${base}datasets/mnist/..%2Fpackage.json`)).status).toBe(404);
  });
});
