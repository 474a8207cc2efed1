/**
 * @tessera/data: datasets, data loaders, transforms and dataset file formats. Runs in Node and
 * in browsers (Node-only parts load their built-ins on demand).
 */
export { type Collated, type CollateFn, defaultCollate } from './collate.js';
export {
  ConcatDataset,
  Dataset,
  type DatasetLike,
  IterableDataset,
  MappedDataset,
  Subset,
  TensorDataset,
} from './dataset.js';
export { type CsvParseOptions, CsvParser, type CsvRecord, parseCsv } from './formats/csv.js';
export {
  browserCache,
  type DatasetCache,
  type DownloadOptions,
  type DownloadProgress,
  download,
  type FetchLike,
} from './formats/download.js';
export { gunzip, isGzip } from './formats/gzip.js';
export {
  encodeIdx,
  type IdxArray,
  type IdxData,
  type IdxExpect,
  type IdxOptions,
  type IdxType,
  idxToTensor,
  loadIdx,
  parseIdx,
} from './formats/idx.js';
export {
  type DrawableImageLike,
  type ImageDataLike,
  type ImageSource,
  type ImageToTensorOptions,
  imageToTensor,
  loadImage,
} from './formats/image.js';
export { MnistDataset, type MnistOptions, type MnistSplit, mnist } from './formats/mnist.js';
export {
  type ColumnRef,
  type CsvColumnInfo,
  CsvDataset,
  type MissingValue,
  type ReadCsvOptions,
  readCsv,
} from './formats/tabular.js';
export type { TextSource } from './formats/text-source.js';
export { type BatchIndexSource, DataLoader, type DataLoaderOptions, type WorkerCapable } from './loader.js';
export { normals, permutation, uniforms } from './random.js';
export {
  BatchSampler,
  RandomSampler,
  type RandomSamplerOptions,
  type Sampler,
  SequentialSampler,
  SubsetRandomSampler,
  WeightedRandomSampler,
} from './sampler.js';
export { nextMacrotask } from './schedule.js';
export { randomSplit } from './split.js';
export {
  circle,
  gaussian,
  moons,
  multiGaussian,
  plane,
  type Synthetic2D,
  type SyntheticOptions,
  spiral,
  xor,
} from './synthetic.js';
export {
  type RandomAffineOptions,
  type RandomRotationOptions,
  randomAffine,
  randomRotation,
} from './transforms/affine.js';
export { type ColorJitterOptions, colorJitter } from './transforms/color.js';
export { compose, type Transform } from './transforms/compose.js';
export {
  type PaddingMode,
  type RandomCropOptions,
  type RandomResizedCropOptions,
  randomCrop,
  randomResizedCrop,
  resize,
} from './transforms/crop.js';
export { type Category, LabelEncoder, labelEncoder, oneHot } from './transforms/encode.js';
export { type RandomErasingOptions, randomErasing } from './transforms/erasing.js';
export { type RandomFlipOptions, randomHorizontalFlip, randomVerticalFlip } from './transforms/flip.js';
export { type GaussianNoiseOptions, gaussianNoise } from './transforms/noise.js';
export type { Interpolation } from './transforms/sample.js';
export {
  fitMinMaxScale,
  fitStandardize,
  type MinMaxOptions,
  type MinMaxTransform,
  minMaxScale,
  type StandardizeOptions,
  type StandardizeTransform,
  type StatsAxis,
  standardize,
} from './transforms/scale.js';
export { WorkerDataset, type WorkerDatasetOptions, type WorkerMapOptions, workerMap } from './worker.js';
export { WorkerPool, type WorkerPoolOptions } from './worker-pool.js';
