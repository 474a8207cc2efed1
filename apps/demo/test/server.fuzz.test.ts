// Random request lines against the MNIST folder middleware on a loopback server, sent raw over
// TCP (no client-side URL checks): every request gets an answer within 2 s, only the regular
// files inside the folder are ever sent, refusals are short plain text without internals, and
// the server keeps running.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fuzzRuns, fuzzSeed } from '../../../tests/repo/fuzz.js';
import { FuzzGuard } from '../../../tests/repo/fuzz-guard.js';
import { mnistMiddleware } from '../mnist-plugin.js';

const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'tessera-mnist-fuzz-')));
const folder = join(tmp, 'mnist');
const payload = Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]);
const SERVED = new Set(['good-idx1-ubyte', 'alias-idx1-ubyte']);
let server: Server;
let port = 0;

beforeAll(async () => {
  mkdirSync(folder);
  writeFileSync(join(folder, 'good-idx1-ubyte'), payload);
  writeFileSync(join(tmp, 'secret-idx1-ubyte'), 'outside');
  mkdirSync(join(folder, 'dir-idx1-ubyte'));
  symlinkSync(join(folder, 'nothing'), join(folder, 'dangling-idx1-ubyte'));
  symlinkSync(join(tmp, 'secret-idx1-ubyte'), join(folder, 'escape-idx1-ubyte'));
  symlinkSync(join(folder, 'good-idx1-ubyte'), join(folder, 'alias-idx1-ubyte'));
  spawnSync('mkfifo', [join(folder, 'fifo-idx1-ubyte')]);
  const mw = mnistMiddleware(folder);
  server = createServer((req, res) =>
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

interface Reply {
  status: number;
  head: string;
  body: Buffer;
}

/** Sends one raw request line and reads the whole reply (the connection closes after it). */
function raw(method: string, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split < 0 ? all.length : split).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body: split < 0 ? Buffer.alloc(0) : all.subarray(split + 4) });
    });
    // write, not end: a half-closed client makes node drop the reply to an async handler.
    sock.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}

class Refused extends Error {}

const fragment = fc.oneof(
  fc.constantFrom(...SERVED, 'dir-idx1-ubyte', 'dangling-idx1-ubyte', 'escape-idx1-ubyte', 'fifo-idx1-ubyte'),
  fc.constantFrom(
    'index.json',
    '..',
    '.',
    '/',
    '%2e%2e',
    '%2F',
    '%5C',
    '%00',
    '%',
    '%E0%A4%A',
    '%ZZ',
    '?x=1',
    '#',
  ),
  fc.constantFrom(
    '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
    '<img src=x onerror=alert(1)>',
    '-idx1-ubyte',
    '.gz',
  ),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }).map((s) => encodeURIComponent(s)),
);
const path = fc
  .tuple(
    fc.constantFrom(
      '/datasets/mnist/',
      '/datasets/mnist/',
      '/datasets/mnist/',
      '/datasets/mnist',
      '/',
      '//datasets/mnist/',
    ),
    fc.array(fragment, { maxLength: 4 }),
  )
  .map(([prefix, parts]) => prefix + parts.join(''));

it('fuzz: random request paths get a short clean answer, never a crash, hang or leak', async () => {
  const guard = new FuzzGuard('demo MNIST route', (e) => e instanceof Refused);
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('GET', 'GET', 'HEAD', 'POST', 'OPTIONS'), path, async (method, p) => {
      await guard.run(p.length, async () => {
        const r = await raw(method, p);
        expect([200, 400, 403, 404, 405, 418]).toContain(r.status);
        const text = r.body.toString('latin1');
        expect(text).not.toContain(tmp);
        expect(text).not.toMatch(/<script|<img|\n\s+at /i);
        if (r.status === 200) {
          const name = decodeURIComponent(p.split('?')[0]!.slice('/datasets/mnist/'.length));
          expect(name === 'index.json' || SERVED.has(name)).toBe(true);
          if (method === 'GET' && name !== 'index.json') expect(Buffer.compare(r.body, payload)).toBe(0);
          return;
        }
        if (r.status === 418) return;
        if (r.body.length > 0) {
          expect(r.head).toMatch(/content-type: text\/plain; charset=utf-8/i);
          expect(r.head).toMatch(/x-content-type-options: nosniff/i);
          expect(r.body.length).toBeLessThan(200);
        }
        throw new Refused(String(r.status));
      });
    }),
    { numRuns: fuzzRuns(200), seed: fuzzSeed() },
  );
  // Still serving after everything.
  expect((await raw('GET', '/datasets/mnist/good-idx1-ubyte')).status).toBe(200);
  guard.check();
});
