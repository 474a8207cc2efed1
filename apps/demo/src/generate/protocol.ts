import type { DownloadProgress } from '@tessera/data';
import type { MnistSource } from '../digits/protocol.js';
import type { BackendInfo } from '../engine/backend.js';
import type { BackendPreference } from '../lib/url.js';

export const AE_LRS = [0.0003, 0.001, 0.003, 0.01] as const;
export const AE_BATCHES = [32, 64, 128] as const;
export const AE_DECODERS = ['convtranspose', 'upsample'] as const;
export type AeDecoder = (typeof AE_DECODERS)[number];
export const AE_DECODER_LABELS: Record<AeDecoder, string> = {
  convtranspose: 'ConvTranspose2d',
  upsample: 'Upsample + Conv2d',
};

/** Training settings of the Generate page (Adam on binary cross-entropy). */
export interface AeConfig {
  decoder: AeDecoder;
  lr: number;
  batchSize: number;
}

export const AE_DEFAULTS: AeConfig = { decoder: 'convtranspose', lr: 0.003, batchSize: 64 };

/** Reads the Generate settings from URL parameters (invalid or missing ones take defaults). */
export function decodeGenerate(p: URLSearchParams): AeConfig {
  return {
    decoder: AE_DECODERS.find((d) => d === p.get('decoder')) ?? AE_DEFAULTS.decoder,
    lr: AE_LRS.find((v) => String(v) === p.get('lr')) ?? AE_DEFAULTS.lr,
    batchSize: AE_BATCHES.find((v) => String(v) === p.get('batch')) ?? AE_DEFAULTS.batchSize,
  };
}

/** Test digits shown with their reconstructions (the first of each class, then the next ones). */
export const SHOWN_DIGITS = 10;
/** Test images encoded for the latent map's scatter. */
export const MAP_POINTS = 1000;

/** Original and reconstructed images of the shown test digits, 784 floats each, in [0, 1]. */
export interface ReconMessage {
  type: 'recon';
  step: number;
  originals: Float32Array;
  recons: Float32Array;
}

/** The 2-D codes of MAP_POINTS test images (x0, y0, x1, y1, ...) and their labels. */
export interface CodesMessage {
  type: 'codes';
  step: number;
  codes: Float32Array;
  labels: Int32Array;
}

export type ToWorker =
  | { type: 'init'; backend: BackendPreference; config: AeConfig }
  | { type: 'load'; source: MnistSource }
  | { type: 'config'; config: AeConfig }
  | { type: 'train' }
  | { type: 'pause' }
  | { type: 'reset' }
  | { type: 'decode'; id: number; x: number; y: number };

export type FromWorker =
  | { type: 'ready'; info: BackendInfo }
  | ({ type: 'progress' } & DownloadProgress)
  | { type: 'dataset'; train: number; test: number; label: string }
  | { type: 'stats'; step: number; epoch: number; loss: number }
  | ReconMessage
  | CodesMessage
  | { type: 'decoded'; id: number; x: number; y: number; pixels: Float32Array }
  | { type: 'playing'; playing: boolean }
  | { type: 'error'; message: string };
