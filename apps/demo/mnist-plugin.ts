import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import type { Connect, Plugin } from 'vite';

/** URL path under which the local MNIST folder is served. */
export const MNIST_ROUTE = '/datasets/mnist/';

/** The folder to serve: $TESSERA_MNIST_DIR, else the shared datasets folder next to the repository. */
export function mnistDir(appRoot: string): string | null {
  const dir = process.env.TESSERA_MNIST_DIR ?? resolve(appRoot, '../../../shared/datasets/mnist');
  return existsSync(dir) && statSync(dir).isDirectory() ? dir : null;
}

/** IDX files (gzip or raw) in `dir`. */
function idxFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /^[\w.-]+-idx\d-ubyte(\.gz)?$/.test(f))
    .sort();
}

function middleware(dir: string): Connect.NextHandleFunction {
  return (req: IncomingMessage, res: ServerResponse, next: Connect.NextFunction) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (!path.startsWith(MNIST_ROUTE)) return next();
    const name = decodeURIComponent(path.slice(MNIST_ROUTE.length));
    const files = idxFiles(dir);
    if (name === 'index.json') {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Cache-Control', 'no-cache');
      res.end(JSON.stringify({ files }));
      return;
    }
    if (!files.includes(name)) {
      res.statusCode = 404;
      res.end(`${name} is not in the local MNIST folder`);
      return;
    }
    const file = join(dir, name);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(statSync(file).size));
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    createReadStream(file).pipe(res);
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
      if (dir) server.middlewares.use(middleware(dir));
    },
    configurePreviewServer(server) {
      if (dir) server.middlewares.use(middleware(dir));
    },
  };
}
