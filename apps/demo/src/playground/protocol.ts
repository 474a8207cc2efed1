import type { BackendInfo } from '../engine/backend.js';
import type { BackendPreference } from '../lib/url.js';
import type { DatasetName, PlaygroundState } from './state.js';

/** Side length of the grid on which the output and every neuron are evaluated for the heatmaps. */
export const GRID = 48;
/** The plotted domain: [-DOMAIN, DOMAIN] on both axes. */
export const DOMAIN = 6;

/** Main thread to playground worker; `id` numbers the settings messages. */
export type ToWorker =
  | { type: 'init'; backend: BackendPreference; state: PlaygroundState; id: number }
  /** New settings; `reset` rebuilds data and network, otherwise they apply to the running training. */
  | { type: 'config'; state: PlaygroundState; reset: boolean; id: number }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'reset'; id: number };

/** The generated points: x as (x1, x2) pairs, y the target (0/1 class or a real value). */
export interface PointsMessage {
  type: 'points';
  trainX: Float32Array;
  trainY: Float32Array;
  testX: Float32Array;
  testY: Float32Array;
}

/** The network's state after an epoch. */
export interface SnapshotMessage {
  type: 'snapshot';
  /** Id of the last settings message applied (init, config or reset), so stale snapshots can be told apart. */
  id: number;
  epoch: number;
  trainLoss: number;
  testLoss: number;
  /** Output on the GRID x GRID grid (row 0 = top, x2 = +DOMAIN), in [-1, 1] for classification. */
  output: Float32Array;
  /** Per hidden layer: activations on the grid, neuron-major ([neurons][GRID*GRID]). */
  neurons: Float32Array[];
  /** Per linear layer (hidden layers, then output): weight [out, in] row-major, and bias [out]. */
  weights: Float32Array[];
  biases: Float32Array[];
}

/** Small previews of every dataset for the dataset buttons. */
export interface ThumbsMessage {
  type: 'thumbs';
  sets: { name: DatasetName; x: Float32Array; y: Float32Array }[];
}

/** Playground worker to main thread. */
export type FromWorker =
  | { type: 'ready'; info: BackendInfo }
  | ThumbsMessage
  | PointsMessage
  | SnapshotMessage
  | { type: 'playing'; playing: boolean }
  | { type: 'error'; message: string };
