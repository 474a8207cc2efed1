import type { BackendInfo } from '../engine/backend.js';
import type { BackendPreference } from '../lib/url.js';
import { ACTIVATION_LABELS } from '../playground/state.js';
import type { BackpropTrace, TinyNetParams } from './tiny-net.js';

export const INSIDE_ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'leakyrelu'] as const;
export type InsideActivation = (typeof INSIDE_ACTIVATIONS)[number];
/** Labels of the playground's activations, of which these are a subset. */
export const INSIDE_ACTIVATION_LABELS: Record<InsideActivation, string> = ACTIVATION_LABELS;

export const INITS = ['default', 'kaiming', 'xavier', 'small', 'large'] as const;
export type InitName = (typeof INITS)[number];
export const INIT_LABELS: Record<InitName, string> = {
  default: 'PyTorch default',
  kaiming: 'Kaiming (He) normal',
  xavier: 'Xavier (Glorot) normal',
  small: 'Too small: N(0, 0.01²)',
  large: 'Too large: N(0, 1)',
};

export const INSIDE_OPTIMIZERS = ['sgd', 'adam'] as const;
export type InsideOptimizer = (typeof INSIDE_OPTIMIZERS)[number];
export const INSIDE_LRS = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1] as const;
export const DEPTHS = [2, 3, 4, 5, 6, 8, 10, 12] as const;
export const WIDTH = 16;

/** The monitored network: a deep MLP on the spiral dataset. */
export interface InsideConfig {
  depth: number;
  activation: InsideActivation;
  init: InitName;
  optimizer: InsideOptimizer;
  lr: number;
}

/** Histogram ranges: activations depend on the activation function; gradients are binned by log10 |g|. */
export const BINS = 32;
export const GRAD_LOG_RANGE: [number, number] = [-10, 0];

/** Statistics of one linear layer and its activation, on the whole dataset. */
export interface LayerStats {
  /** Counts of activation values in BINS bins over `actRange` (values outside go to the end bins). */
  actHist: Uint32Array;
  actRange: [number, number];
  /** Counts of log10 |dL/d activation| in BINS bins over GRAD_LOG_RANGE (zeros in the lowest bin). */
  gradHist: Uint32Array;
  /** Share of units that are dead (ReLU family) or saturated (tanh, sigmoid) on every point. */
  dead: number;
  /** L2 norm of the gradient of the layer's weight matrix. */
  gradNorm: number;
  actMean: number;
  actStd: number;
}

export interface StatsMessage {
  type: 'stats';
  step: number;
  loss: number;
  accuracy: number;
  /** Hidden layers; the output layer only contributes a gradient norm (`outputGradNorm`). */
  layers: LayerStats[];
  outputGradNorm: number;
}

export type ToWorker =
  | { type: 'init'; backend: BackendPreference; config: InsideConfig }
  | { type: 'config'; config: InsideConfig }
  | { type: 'train' }
  | { type: 'pause' }
  | { type: 'reset' }
  | { type: 'backprop'; params: TinyNetParams };

export type FromWorker =
  | { type: 'ready'; info: BackendInfo }
  | StatsMessage
  | { type: 'trace'; trace: BackpropTrace }
  | { type: 'playing'; playing: boolean }
  | { type: 'error'; message: string };
