/** The 2-D datasets: five classification sets and two regression sets. */
export const DATASETS = ['circle', 'xor', 'gaussian', 'spiral', 'moons', 'plane', 'multigauss'] as const;
export type DatasetName = (typeof DATASETS)[number];
export const DATASET_LABELS: Record<DatasetName, string> = {
  circle: 'Circle',
  xor: 'Exclusive or',
  gaussian: 'Gaussian',
  spiral: 'Spiral',
  moons: 'Two moons',
  plane: 'Plane (regression)',
  multigauss: 'Multi-Gaussian (regression)',
};

/** True for the regression datasets (real-valued target, MSE loss). */
export function isRegression(d: DatasetName): boolean {
  return d === 'plane' || d === 'multigauss';
}

/** Input features computed from a point (x1, x2). */
export const FEATURES = ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2'] as const;
export type FeatureName = (typeof FEATURES)[number];
export const FEATURE_LABELS: Record<FeatureName, string> = {
  x1: 'x₁',
  x2: 'x₂',
  x1sq: 'x₁²',
  x2sq: 'x₂²',
  x1x2: 'x₁x₂',
  sinx1: 'sin x₁',
  sinx2: 'sin x₂',
};

/** Value of feature `f` at (x1, x2). */
export function featureValue(f: FeatureName, x1: number, x2: number): number {
  switch (f) {
    case 'x1':
      return x1;
    case 'x2':
      return x2;
    case 'x1sq':
      return x1 * x1;
    case 'x2sq':
      return x2 * x2;
    case 'x1x2':
      return x1 * x2;
    case 'sinx1':
      return Math.sin(x1);
    case 'sinx2':
      return Math.sin(x2);
  }
}

export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'linear', 'elu', 'leakyrelu'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];
export const ACTIVATION_LABELS: Record<ActivationName, string> = {
  relu: 'ReLU',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
  linear: 'Linear',
  elu: 'ELU',
  leakyrelu: 'Leaky ReLU',
};

export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const OPTIMIZER_LABELS: Record<OptimizerName, string> = {
  sgd: 'SGD',
  momentum: 'SGD + momentum',
  adam: 'Adam',
  rmsprop: 'RMSprop',
};

export const REGULARIZATIONS = ['none', 'l1', 'l2', 'dropout'] as const;
export type RegularizationName = (typeof REGULARIZATIONS)[number];
export const REGULARIZATION_LABELS: Record<RegularizationName, string> = {
  none: 'None',
  l1: 'L1',
  l2: 'L2',
  dropout: 'Dropout',
};

export const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3] as const;
export const REG_RATES = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10] as const;
export const DROPOUT_RATES = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] as const;

/** The allowed values of the regularisation rate: penalty weights, or drop probabilities for dropout. */
export function regRates(r: RegularizationName): readonly number[] {
  return r === 'dropout' ? DROPOUT_RATES : REG_RATES;
}
export const NOISES = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50] as const;
export const TRAIN_RATIOS = [10, 20, 30, 40, 50, 60, 70, 80, 90] as const;
export const BATCH_SIZES = [1, 2, 4, 5, 8, 10, 15, 16, 20, 25, 30, 32] as const;
export const MAX_LAYERS = 6;
export const MAX_NEURONS = 8;
/** Points per dataset. */
export const NUM_POINTS = 500;

/** Everything that defines a playground setup; it is all kept in the URL. */
export interface PlaygroundState {
  dataset: DatasetName;
  /** Noise in percent (0-50). */
  noise: number;
  /** Share of points used for training, in percent. */
  trainRatio: number;
  batchSize: number;
  /** Seed of the data and of the initial weights. */
  seed: number;
  features: FeatureName[];
  /** Neurons per hidden layer. */
  layers: number[];
  activation: ActivationName;
  learningRate: number;
  optimizer: OptimizerName;
  regularization: RegularizationName;
  /** Penalty weight for L1/L2, drop probability for dropout. */
  regRate: number;
}

export const DEFAULT_STATE: PlaygroundState = {
  dataset: 'circle',
  noise: 0,
  trainRatio: 50,
  batchSize: 10,
  seed: 1,
  features: ['x1', 'x2'],
  layers: [4, 2],
  activation: 'tanh',
  learningRate: 0.03,
  optimizer: 'sgd',
  regularization: 'none',
  regRate: 0,
};

function oneOf<T extends string>(list: readonly T[], v: string | null, dflt: T): T {
  return v !== null && (list as readonly string[]).includes(v) ? (v as T) : dflt;
}

function numberIn(list: readonly number[], v: string | null, dflt: number): number {
  const n = v === null ? Number.NaN : Number(v);
  return list.includes(n) ? n : dflt;
}

/** Reads a state from URL parameters; anything missing or invalid takes its default. */
export function decodeState(p: URLSearchParams): PlaygroundState {
  const d = DEFAULT_STATE;
  const seed = Number(p.get('seed'));
  const features = (p.get('features') ?? d.features.join(','))
    .split(',')
    .filter((f): f is FeatureName => (FEATURES as readonly string[]).includes(f));
  const layersRaw = p.get('layers');
  const layers =
    layersRaw === null
      ? d.layers
      : layersRaw === ''
        ? []
        : layersRaw
            .split(',')
            .map(Number)
            .filter((n) => Number.isInteger(n) && n >= 1 && n <= MAX_NEURONS)
            .slice(0, MAX_LAYERS);
  const regularization = oneOf(REGULARIZATIONS, p.get('regularization'), d.regularization);
  return {
    dataset: oneOf(DATASETS, p.get('dataset'), d.dataset),
    noise: numberIn(NOISES, p.get('noise'), d.noise),
    trainRatio: numberIn(TRAIN_RATIOS, p.get('trainRatio'), d.trainRatio),
    batchSize: numberIn(BATCH_SIZES, p.get('batchSize'), d.batchSize),
    seed: Number.isInteger(seed) && seed > 0 && seed < 2 ** 31 ? seed : d.seed,
    features: features.length > 0 ? [...new Set(features)].sort(byFeatureOrder) : [...d.features],
    layers,
    activation: oneOf(ACTIVATIONS, p.get('activation'), d.activation),
    learningRate: numberIn(LEARNING_RATES, p.get('learningRate'), d.learningRate),
    optimizer: oneOf(OPTIMIZERS, p.get('optimizer'), d.optimizer),
    regularization,
    regRate: numberIn(regRates(regularization), p.get('regRate'), d.regRate),
  };
}

function byFeatureOrder(a: FeatureName, b: FeatureName): number {
  return FEATURES.indexOf(a) - FEATURES.indexOf(b);
}

/** Writes every field of a state as URL parameters (so a shared URL reproduces the setup exactly). */
export function encodeState(s: PlaygroundState): URLSearchParams {
  return new URLSearchParams({
    dataset: s.dataset,
    noise: String(s.noise),
    trainRatio: String(s.trainRatio),
    batchSize: String(s.batchSize),
    seed: String(s.seed),
    features: [...s.features].sort(byFeatureOrder).join(','),
    layers: s.layers.join(','),
    activation: s.activation,
    learningRate: String(s.learningRate),
    optimizer: s.optimizer,
    regularization: s.regularization,
    regRate: String(s.regRate),
  });
}

/** Fields whose change rebuilds the data and the network (the others apply to the running training). */
export function needsReset(a: PlaygroundState, b: PlaygroundState): boolean {
  return (
    a.dataset !== b.dataset ||
    a.noise !== b.noise ||
    a.trainRatio !== b.trainRatio ||
    a.seed !== b.seed ||
    a.features.join() !== b.features.join() ||
    a.layers.join() !== b.layers.join() ||
    a.activation !== b.activation ||
    a.optimizer !== b.optimizer ||
    (a.regularization === 'dropout') !== (b.regularization === 'dropout') ||
    (a.regularization === 'dropout' && a.regRate !== b.regRate)
  );
}
