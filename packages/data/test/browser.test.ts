// Runs @tessera/data in headless Chromium (no build, no browser driver package): a small HTTP
// server serves the TypeScript sources transpiled on the fly, the page posts its results back.
// Takes ~5-15 s (browser start-up). Skipped with the reason in the name when Chromium (or, for the
// MNIST part, the MNIST files) is missing.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, expect, it } from 'vitest';
import {
  chromiumPath,
  describeIfAvailable,
  itIfAvailable,
  mnistDir,
} from '../../../tests/repo/requirements.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MNIST = mnistDir() ?? join(ROOT, 'no-mnist'); // missing: the page's MNIST check is skipped
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html' };

let server: Server | undefined;
let browser: ChildProcess | undefined;
let profile: string | undefined;
afterAll(async () => {
  server?.close();
  const b = browser;
  if (b?.pid !== undefined && b.exitCode === null) {
    const exited = new Promise((r) => b.once('exit', r));
    try {
      process.kill(-b.pid, 'SIGKILL'); // the process group we started (detached)
    } catch {}
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  }
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Serves the repo: .js requests under packages/*\/src are transpiled from the .ts next to them. */
function serve(onResult: (body: string) => void): Promise<number> {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.end('ok');
        onResult(body);
      });
      return;
    }
    let file = path.startsWith('/mnist/') ? join(MNIST, path.slice(7)) : join(ROOT, path);
    let text: string | Buffer | undefined;
    const tsFile = file.replace(/\.js$/, '.ts');
    if (/\/packages\/[^/]+\/src\//.test(file) && existsSync(tsFile)) {
      const out = ts.transpileModule(readFileSync(tsFile, 'utf8'), {
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          verbatimModuleSyntax: true,
        },
      });
      text = out.outputText;
      file = tsFile.replace(/\.ts$/, '.js');
    } else if (existsSync(file)) text = readFileSync(file);
    if (text === undefined) {
      res.writeHead(404).end();
      return;
    }
    const ext = file.slice(file.lastIndexOf('.'));
    res.writeHead(200, {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  });
  return new Promise((resolve) =>
    server!.listen(0, '127.0.0.1', () => resolve((server!.address() as AddressInfo).port)),
  );
}

let page: Promise<PageResult> | undefined;
/** Starts Chromium on the test page once; resolves with the results the page posts back. */
function pageResult(): Promise<PageResult> {
  page ??= runPage();
  return page;
}

/** The JSON the page posts back (checked field by field by the tests). */
type PageResult = any;

async function runPage(): Promise<PageResult> {
  let resolveResult: (v: string) => void = () => {};
  const result = new Promise<string>((r) => (resolveResult = r));
  const port = await serve(resolveResult);
  profile = mkdtempSync(join(tmpdir(), 'tessera-chromium-'));
  browser = spawn(
    chromiumPath()!,
    [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      `--user-data-dir=${profile}`,
      `http://127.0.0.1:${port}/packages/data/test/fixtures/browser-page.html`,
    ],
    { detached: true, stdio: 'ignore' },
  );
  return JSON.parse(await result);
}

describeIfAvailable('chromium', 'runs in Chromium', () => {
  it('canvas images, Web Worker loading, IndexedDB cache, CSV from a Blob', async () => {
    const r = await pageResult();
    expect(r.imageData).toEqual([[[1, 0]], [[0, 1]], [[0, 0]]]);
    expect(r.canvas).toEqual({ shape: [3, 2, 3], blue: 1, red: 0 });
    expect(r.bitmap).toEqual([1, 2, 3]);
    expect([...r.workers].sort((a: number, b: number) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i * i),
    );
    expect(r.indexedDbCache).toEqual([1, 2, 3]);
    expect(r.csv).toEqual({ x: [[1], [2]], classes: ['x', 'y'] });
  }, 60_000);

  // The page downloads MNIST from this test's server (serving TESSERA_MNIST_DIR or ../shared).
  itIfAvailable(
    'mnist',
    'MNIST download with the Cache API',
    async () => {
      const r = await pageResult();
      expect(r.mnist.counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
      expect(r.mnist.first4).toEqual([7, 2, 1, 0]);
      // First load downloads (cached: false), the second comes from the Cache API.
      expect(r.mnist.cached.filter((c: boolean) => c).length).toBe(2);
      expect(r.mnist.cached[0]).toBe(false);
    },
    60_000,
  );
});
