// Module resolution hook for the benchmark only: tfjs-core's ES module files (which register
// the gradients that @tensorflow/tfjs would) import each other without file extensions, as
// bundlers allow and Node does not ('./gradients' may mean gradients.js next to a gradients/
// folder, or a folder's index.js). This retries such relative imports with '.js', then
// '/index.js'.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    const missing = e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'ERR_UNSUPPORTED_DIR_IMPORT';
    if (!missing || !specifier.startsWith('.') || specifier.endsWith('.js')) throw e;
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
}
