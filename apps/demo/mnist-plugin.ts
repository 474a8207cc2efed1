import { existsSync, realpathSync, statSync } from 'node:fs';
import { lstat, open, readdir, realpath } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve, sep } from 'node:path';
import type { Connect, Plugin } from 'vite';

/** URL path under which the local MNIST folder is served. */
export const MNIST_ROUTE = '/datasets/mnist/';

/** Names the route serves: IDX files (gzip or raw), no slashes, nothing else. */
const IDX_NAME = /^[\w.-]+-idx\d-ubyte(\.gz)?$/;

/** The folder to serve: $TESSERA_MNIST_DIR, else the shared datasets folder next to the repository. */
export function mnistDir(appRoot: string): string | null {
  const dir = process.env.TESSERA_MNIST_DIR ?? resolve(appRoot, '../../../shared/datasets/mnist');
  return existsSync(dir) && statSync(dir).isDirectory() ? dir : null;
}

/**
 * A short plain-text answer. The body never holds paths or stack traces, and the headers stop
 * a browser from reading it as HTML (the request path was once echoed as a page: reflected XSS).
 */
function answer(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = status;
  res.removeHeader('Content-Length');
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

/** A request-supplied name, inert in any context: quoted, cut short, no markup characters. */
function quote(name: string): string {
  const short = name.length > 80 ? `${name.slice(0, 80)}...` : name;
  return JSON.stringify(short).replace(
    /[<>&'\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * The real path of `name` in the folder when it is a regular file that stays inside it (a
 * symlink to a file inside is fine, one pointing out of the folder is not); null otherwise.
 */
async function servable(root: string, name: string): Promise<string | null> {
  try {
    const link = await lstat(join(root, name));
    if (!link.isFile() && !link.isSymbolicLink()) return null;
    const real = await realpath(join(root, name));
    if (!real.startsWith(root + sep)) return null;
    return (await lstat(real)).isFile() ? real : null;
  } catch {
    return null; // missing, dangling symlink, unreadable folder: not served
  }
}

/** IDX files in the folder that can be served. */
async function idxFiles(root: string): Promise<string[]> {
  const names = (await readdir(root)).filter((f) => IDX_NAME.test(f)).sort();
  const ok = await Promise.all(names.map((n) => servable(root, n)));
  return names.filter((_, i) => ok[i] !== null);
}

async function sendFile(
  root: string,
  name: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const real = await servable(root, name);
  if (real === null) return answer(res, 404, `${quote(name)} is not in the local MNIST folder`);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(real, 'r');
  } catch {
    return answer(res, 403, `${quote(name)} cannot be read`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new Error('not a regular file');
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(st.size));
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (req.method === 'HEAD') {
      await handle.close();
      res.end();
      return;
    }
  } catch {
    await handle.close().catch(() => {});
    return answer(res, 403, `${quote(name)} cannot be read`);
  }
  const stream = handle.createReadStream();
  // Without a handler a read error (EISDIR, EIO) is thrown from the stream and ends the server.
  stream.on('error', () => answer(res, 500, 'read error'));
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

/**
 * The middleware serving `dir` at `MNIST_ROUTE`: `index.json` lists the IDX files, and only
 * regular files with IDX names that resolve inside the folder are sent. Every failure (a bad
 * escape, a directory, a dangling or escaping symlink, an unreadable file) is a short plain-text
 * status without internals; nothing a request does can end the server.
 */
export function mnistMiddleware(dir: string): Connect.NextHandleFunction {
  const root = realpathSync(dir);
  const handle = async (req: IncomingMessage, res: ServerResponse, next: Connect.NextFunction) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (!path.startsWith(MNIST_ROUTE)) return next();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return answer(res, 405, 'method not allowed');
    }
    let name: string;
    try {
      name = decodeURIComponent(path.slice(MNIST_ROUTE.length));
    } catch {
      return answer(res, 400, 'malformed escape in the URL');
    }
    if (name === 'index.json') {
      const body = JSON.stringify({ files: await idxFiles(root) });
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Cache-Control', 'no-cache');
      res.end(body);
      return;
    }
    if (!IDX_NAME.test(name)) return answer(res, 404, `${quote(name)} is not in the local MNIST folder`);
    await sendFile(root, name, req, res);
  };
  return (req, res, next) => {
    handle(req, res, next).catch(() => answer(res, 500, 'internal error'));
  };
}

/**
 * Serves the local MNIST folder (see `mnistDir`) at `/datasets/mnist/` in the dev and preview
 * servers, with `index.json` listing its files, so the app can use it instead of downloading.
 * The files never enter the build output.
 */
export function localMnist(appRoot: string): Plugin {
  const dir = mnistDir(appRoot);
  return {
    name: 'tessera-local-mnist',
    configureServer(server) {
      if (dir) server.middlewares.use(mnistMiddleware(dir));
    },
    configurePreviewServer(server) {
      if (dir) server.middlewares.use(mnistMiddleware(dir));
    },
  };
}
