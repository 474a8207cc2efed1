import type { BackendInfo } from '../engine/backend.js';
import type { BackendPreference } from '../lib/url.js';

export const ARCHS = ['mlp', 'lenet5', 'cnn'] as const;
export type ArchName = (typeof ARCHS)[number];
export const ARCH_LABELS: Record<ArchName, string> = {
  mlp: 'MLP (784-128-10)',
  lenet5: 'LeNet-5',
  cnn: 'Small CNN (BN, dropout)',
};

export const DIGIT_OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type DigitOptimizer = (typeof DIGIT_OPTIMIZERS)[number];
export const DIGIT_OPTIMIZER_LABELS: Record<DigitOptimizer, string> = {
  adam: 'Adam',
  sgd: 'SGD + momentum',
  rmsprop: 'RMSprop',
};
export const DIGIT_LRS = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1] as const;
export const DIGIT_BATCHES = [16, 32, 64, 128, 256] as const;

/** Training settings of the Digits page. */
export interface DigitsConfig {
  arch: ArchName;
  optimizer: DigitOptimizer;
  lr: number;
  batchSize: number;
}

/** Where the MNIST files come from. */
export interface MnistSource {
  baseUrl: string;
  /** 'both': standard train and test files; 'test': only the 10,000 test images (split 8,000 / 2,000). */
  split: 'both' | 'test';
  /** Shown on the page. */
  label: string;
}

/** Main thread to digits worker. */
export type ToWorker =
  | { type: 'init'; backend: BackendPreference; config: DigitsConfig }
  | { type: 'load'; source: MnistSource }
  | { type: 'config'; config: DigitsConfig }
  | { type: 'train' }
  | { type: 'pause' }
  | { type: 'reset' }
  | { type: 'predict'; id: number; pixels: Float32Array }
  | { type: 'inspect'; index: number | null; pixels: Float32Array | null }
  | { type: 'save' }
  | { type: 'exportOnnx' }
  | { type: 'loadModel'; bytes: Uint8Array; name: string };

/** Training progress, posted a few times a second. */
export interface StatsMessage {
  type: 'stats';
  step: number;
  epoch: number;
  /** Mean over the steps since the last stats message. */
  trainLoss: number;
  trainAcc: number;
  imagesPerSec: number;
}

/** A test-set evaluation. */
export interface EvalMessage {
  type: 'eval';
  step: number;
  testLoss: number;
  testAcc: number;
  /** confusion[true * 10 + predicted] = count. */
  confusion: Int32Array;
}

/** First-layer filters and the first layer's activation maps for one input. */
export interface InspectionMessage {
  type: 'inspection';
  /** The input image (28x28). */
  image: Float32Array;
  /** Its label when it comes from the test set. */
  label: number | null;
  /** Filters [count, h, w] (conv kernels, or first-layer weights as 28x28 images for the MLP). */
  filters: Float32Array;
  filterShape: [number, number, number];
  /** Activation maps [count, h, w] after the first layer's activation. */
  maps: Float32Array;
  mapShape: [number, number, number];
}

/** One tensor of a state dict, read back to the CPU (for the page's ONNX export). */
export interface WeightArray {
  name: string;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** Digits worker to main thread. */
export type FromWorker =
  | { type: 'ready'; info: BackendInfo }
  | { type: 'progress'; file: string; loaded: number; total: number | undefined; cached: boolean }
  | { type: 'dataset'; train: number; test: number; label: string }
  | StatsMessage
  | EvalMessage
  | { type: 'prediction'; id: number; probs: Float32Array }
  | InspectionMessage
  | { type: 'saved'; blob: Blob; name: string }
  | { type: 'weights'; arch: ArchName; tensors: WeightArray[] }
  | { type: 'modelLoaded'; arch: ArchName; name: string }
  | { type: 'playing'; playing: boolean }
  | { type: 'error'; message: string };
