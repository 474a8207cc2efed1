import { currentRoute } from '../lib/url.js';
import {
  ARCHS,
  DIGIT_BATCHES,
  DIGIT_LRS,
  DIGIT_OPTIMIZERS,
  type DigitOptimizer,
  type DigitsConfig,
} from './protocol.js';

/** The learning rate each optimizer starts with (picking an optimizer resets the rate to it). */
export const DEFAULT_LR: Record<DigitOptimizer, number> = { adam: 0.001, sgd: 0.01, rmsprop: 0.001 };
const DEFAULTS: DigitsConfig = { arch: 'lenet5', optimizer: 'adam', lr: 0.001, batchSize: 64 };

/** Reads the Digits settings from URL parameters (invalid or missing ones take defaults). */
export function decodeDigits(p: URLSearchParams): DigitsConfig {
  const arch = ARCHS.find((a) => a === p.get('arch')) ?? DEFAULTS.arch;
  const optimizer = DIGIT_OPTIMIZERS.find((o) => o === p.get('optimizer')) ?? DEFAULTS.optimizer;
  const lr = DIGIT_LRS.find((v) => String(v) === p.get('lr')) ?? DEFAULT_LR[optimizer];
  const batchSize = DIGIT_BATCHES.find((v) => String(v) === p.get('batch')) ?? DEFAULTS.batchSize;
  return { arch, optimizer, lr, batchSize };
}

/** The current URL's parameters with the Digits settings written in (what `decodeDigits` reads). */
export function encodeDigits(c: DigitsConfig): URLSearchParams {
  const p = new URLSearchParams(currentRoute().params);
  p.set('arch', c.arch);
  p.set('optimizer', c.optimizer);
  p.set('lr', String(c.lr));
  p.set('batch', String(c.batchSize));
  return p;
}
