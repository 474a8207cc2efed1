/**
 * @tessera/onnx: export a Tessera Module to ONNX (traced from its forward, weights as
 * initializers) and import an ONNX model as a Module that runs eagerly and can be fine-tuned.
 */
export { type ExportableModule, type ExportOnnxOptions, exportOnnx } from './export.js';
export { EXPORTED_OPS } from './export-ops.js';
export { importOnnx, OnnxModule } from './import.js';
export { IMPORTED_OPS } from './import-ops.js';
