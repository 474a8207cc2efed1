// The dev server sends the cross-origin isolation headers (threaded CPU kernels need them) and
// serves the local MNIST folder; the preview server is checked in demo.test.ts. The folder's
// middleware is also run on a plain loopback server against a folder of hostile entries.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itIfAvailable } from '../../../tests/repo/requirements.js';
import { mnistDir, mnistMiddleware } from '../mnist-plugin.js';
import { launch } from './harness.js';

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

/** One raw request (the path is sent as written, no URL normalisation) to the plugin's server. */
function request(
  port: number,
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('MNIST middleware under hostile requests', () => {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'tessera-mnist-serve-')));
  const folder = join(tmp, 'mnist');
  const outside = join(tmp, 'secret-idx1-ubyte');
  const payload = Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]);
  let server: Server;
  let port = 0;
  const asRoot = process.getuid?.() === 0;

  beforeAll(async () => {
    mkdirSync(folder);
    writeFileSync(join(folder, 'good-idx1-ubyte'), payload);
    writeFileSync(outside, 'outside the folder');
    mkdirSync(join(folder, 'dir-idx1-ubyte'));
    symlinkSync(join(folder, 'missing-idx1-ubyte'), join(folder, 'dangling-idx1-ubyte'));
    symlinkSync(outside, join(folder, 'escape-idx1-ubyte'));
    symlinkSync(join(folder, 'good-idx1-ubyte'), join(folder, 'alias-idx1-ubyte'));
    writeFileSync(join(folder, 'locked-idx1-ubyte'), payload);
    chmodSync(join(folder, 'locked-idx1-ubyte'), 0);
    // A FIFO: opening it for reading would wait for a writer forever.
    spawnSync('mkfifo', [join(folder, 'fifo-idx1-ubyte')]);
    const mw = mnistMiddleware(folder);
    server = createHttpServer((req, res) =>
      mw(req, res, () => {
        res.statusCode = 418;
        res.end('next');
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Every refusal is short plain text without paths or stack traces. */
  const expectClean = (r: { headers: IncomingHttpHeaders; body: Buffer }) => {
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    const text = r.body.toString();
    expect(text.length).toBeLessThan(200);
    expect(text).not.toContain(tmp);
    expect(text).not.toMatch(/ at |Error|<|>/);
  };

  it('serves regular IDX files in the folder, and symlinks that stay inside it', async () => {
    for (const name of ['good-idx1-ubyte', 'alias-idx1-ubyte']) {
      const r = await request(port, `/datasets/mnist/${name}`);
      expect(r.status).toBe(200);
      expect(r.headers['content-length']).toBe(String(payload.length));
      expect(r.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(Buffer.compare(r.body, payload)).toBe(0);
    }
    const head = await request(port, '/datasets/mnist/good-idx1-ubyte', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect((await request(port, '/elsewhere')).status).toBe(418);
  });

  it('does not reflect the path as HTML (XSS)', async () => {
    const r = await request(port, '/datasets/mnist/%3Cscript%3Ealert(document.domain)%3C%2Fscript%3E');
    expect(r.status).toBe(404);
    expectClean(r);
    expect(r.body.toString()).toContain('\\u003cscript\\u003e');
  });

  itIfAvailable(
    'chromium',
    'Chromium shows the 404 for a script-bearing path as text and runs nothing',
    async () => {
      const browser = await launch('cpu');
      try {
        const page = await browser.newPage();
        let dialogs = 0;
        page.on('dialog', (d) => {
          dialogs++;
          void d.dismiss();
        });
        const res = await page.goto(
          `http://127.0.0.1:${port}/datasets/mnist/%3Cscript%3Edocument.title%3D'pwned';alert(1)%3C%2Fscript%3E`,
        );
        expect(res?.status()).toBe(404);
        expect(await page.title()).not.toBe('pwned');
        expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(0);
        expect(dialogs).toBe(0);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );

  it('refuses directories, FIFOs, dangling and escaping symlinks and bad escapes, and keeps running', async () => {
    const cases: [string, number][] = [
      ['dir-idx1-ubyte', 404],
      ['fifo-idx1-ubyte', 404],
      ['dangling-idx1-ubyte', 404],
      ['escape-idx1-ubyte', 404],
      ['missing-idx1-ubyte', 404],
      ['..%2Fsecret-idx1-ubyte', 404],
      ['%2e%2e/secret-idx1-ubyte', 404],
      ['%E0%A4%A', 400],
      ['%', 400],
      // Root reads a mode-000 file; anyone else is refused.
      ['locked-idx1-ubyte', asRoot ? 200 : 403],
    ];
    for (const [name, status] of cases) {
      const r = await request(port, `/datasets/mnist/${name}`);
      expect([name, r.status]).toEqual([name, status]);
      if (status !== 200) expectClean(r);
    }
    const post = await request(port, '/datasets/mnist/good-idx1-ubyte', 'POST');
    expect(post.status).toBe(405);
    expectClean(post);
    // Still alive after all of it.
    expect((await request(port, '/datasets/mnist/good-idx1-ubyte')).status).toBe(200);
  });

  it('lists only the files it would serve in index.json', async () => {
    const r = await request(port, '/datasets/mnist/index.json');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    const { files } = JSON.parse(r.body.toString()) as { files: string[] };
    // The mode-000 file is a regular file inside the folder: listed, and refused when read.
    expect(files).toEqual(['alias-idx1-ubyte', 'good-idx1-ubyte', 'locked-idx1-ubyte']);
  });
});
