// Module-resolution hook for the benchmark's tfjs adapter: tfjs-core's ES-module build (the only
// one with its gradient functions) imports relative files without the `.js` extension that
// Node's ESM loader requires. This adds it (or `/index.js` for a folder) for relative imports
// inside @tensorflow packages.

/** Node `resolve` hook: retries an extension-less relative import under @tensorflow with `.js`. */
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    const fixable = e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'ERR_UNSUPPORTED_DIR_IMPORT';
    if (!fixable || !specifier.startsWith('.') || !context.parentURL?.includes('/@tensorflow/')) throw e;
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
}
