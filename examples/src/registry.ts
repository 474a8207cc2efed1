import { main as autoencoderFeatures } from './autoencoder-features.js';
import { main as convAutoencoder } from './conv-autoencoder.js';
import { scriptFlags as dcganFlags, main as dcganMnist } from './dcgan-mnist.js';
import { main as gaussianRegression } from './gaussian-regression.js';
import type { ExampleMain, ScriptFlags } from './lib/options.js';
import { main as lstmSequence } from './lstm-sequence.js';
import { main as mnistLenet } from './mnist-lenet.js';
import { main as mnistMlp } from './mnist-mlp.js';
import { main as plainVsResidual } from './plain-vs-residual.js';
import { main as resnetMnist } from './resnet-mnist.js';
import { main as searchMnistMlp } from './search-mnist-mlp.js';
import { main as spiral } from './spiral.js';
import { main as tinyDecoder } from './tiny-decoder.js';
import { main as transformerToy } from './transformer-toy.js';
import { main as xor } from './xor.js';

/** An example `tessera-train` can run. */
export interface ExampleEntry {
  main: ExampleMain;
  /** One line for `--help`. */
  summary: string;
  /** Whether it reads a dataset (takes `--data-dir`). */
  usesData?: boolean;
  /** Flags only this example takes. */
  flags?: ScriptFlags;
}

/** Every example, by the name `--example` takes (the file name in src/). */
export const EXAMPLES: Readonly<Record<string, ExampleEntry>> = {
  xor: { main: xor, summary: '2-2-1 MLP learns XOR (100%)' },
  spiral: { main: spiral, summary: 'MLP separates two interleaved spirals' },
  'mnist-mlp': { main: mnistMlp, summary: 'MLP on MNIST digits', usesData: true },
  'mnist-lenet': {
    main: mnistLenet,
    summary: 'LeNet-5 convolutional network on MNIST digits',
    usesData: true,
  },
  'lstm-sequence': { main: lstmSequence, summary: 'LSTM recalls the first digit of a sequence' },
  'gaussian-regression': {
    main: gaussianRegression,
    summary: 'network predicts mean and variance (GaussianNLLLoss)',
  },
  'transformer-toy': { main: transformerToy, summary: 'tiny TransformerEncoder sorts digit sequences' },
  'search-mnist-mlp': {
    main: searchMnistMlp,
    summary: 'random vs grid search of learning rate and width for the MNIST MLP',
    usesData: true,
  },
  'autoencoder-features': {
    main: autoencoderFeatures,
    summary: '784-256-784 autoencoder with and without dropout; feature grids as PNG',
    usesData: true,
  },
  'resnet-mnist': {
    main: resnetMnist,
    summary: 'residual network (BatchNorm, skip connections) on MNIST digits',
    usesData: true,
  },
  'plain-vs-residual': {
    main: plainVsResidual,
    summary: '20-layer plain CNN vs the same with skip connections; loss curves as SVG',
    usesData: true,
  },
  'conv-autoencoder': {
    main: convAutoencoder,
    summary: 'convolutional autoencoder with a 2-D code; reconstructions and latent grid as PNG',
    usesData: true,
  },
  'tiny-decoder': {
    main: tinyDecoder,
    summary: 'causal Transformer decoder writes balanced brackets; share of valid samples',
  },
  'dcgan-mnist': {
    main: dcganMnist,
    summary: 'DCGAN draws digits; a sample grid per epoch (PNG), judged by a LeNet-5',
    usesData: true,
    flags: dcganFlags,
  },
};
