/**
 * @tessera/train: the training loop (`fit`, `evaluate`, `predict`), metrics, callbacks
 * (early stopping, checkpoints with exact resume, loggers, layer statistics, progress) and
 * hyper-parameter search, built from the same pieces a hand-written loop uses.
 */
export {
  type Callback,
  type CallbackState,
  type EpochLog,
  type History,
  historyOf,
  type Logs,
  type SchedulerLike,
  type TrainContext,
} from './callbacks/callback.js';
export { EarlyStopping, type EarlyStoppingOptions } from './callbacks/early-stopping.js';
export {
  LayerStatsLogger,
  type LayerStatsRecord,
  type ValueStats,
  valueStats,
} from './callbacks/layer-stats.js';
export { CSVLogger, JSONLinesLogger, LearningRateLogger, type LineSink } from './callbacks/loggers.js';
export { ModelCheckpoint, type ModelCheckpointOptions } from './callbacks/model-checkpoint.js';
export {
  formatLogs,
  ProgressBar,
  type ProgressDetail,
  ProgressEvents,
  type ProgressStream,
} from './callbacks/progress.js';
export { NonFiniteTrainingError, TerminateOnNaN } from './callbacks/terminate-on-nan.js';
export {
  type CheckpointFile,
  type CheckpointMeta,
  type CheckpointTargets,
  type FoundCheckpoint,
  findLatestCheckpoint,
  type Resumed,
  removeDebris,
  resumeFrom,
  type SkippedCheckpoint,
  saveCheckpoint,
} from './checkpoint.js';
export {
  type Batch,
  type BatchSource,
  type EvaluateOptions,
  evaluate,
  type FitOptions,
  fit,
  type GradClip,
  type LossLike,
  predict,
  runModel,
  splitBatch,
} from './fit.js';
export {
  Accuracy,
  ConfusionMatrix,
  type PrecisionRecallF1,
  PrecisionRecallF1Metric,
  precisionRecallF1FromMatrix,
  predictedClasses,
  TopKAccuracy,
  targetClasses,
} from './metrics/classification.js';
export type { Metric } from './metrics/metric.js';
export { MeanAbsoluteError, MeanSquaredError } from './metrics/regression.js';
export { RunningAverage } from './metrics/running-average.js';
export {
  choice,
  type Dimension,
  gridSearch,
  intUniform,
  logUniform,
  type Params,
  randomSearch,
  type SearchOptions,
  type SearchResult,
  type Space,
  type Trial,
  uniform,
} from './search.js';
export { type CheckpointStore, checkName, fileStore, memoryStore } from './store.js';
