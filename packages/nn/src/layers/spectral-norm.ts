import { noGrad } from '@tessera/autograd';
import { checkOptions, randn, type Tensor } from '@tessera/tensor';
import { fmt } from '../functional/util.js';
import type { AnyModule } from '../module.js';
import { Parameter } from '../parameter.js';
import { ConvTranspose2d } from './conv.js';
import { ConvTranspose1d } from './conv-transpose1d.js';
import { attrs, recordHandle, takeHandle } from './weight-norm.js';

/** Options of spectralNorm (PyTorch's defaults). */
export interface SpectralNormOptions {
  /** Power-iteration steps per training forward (default 1). */
  nPowerIterations?: number;
  /** Floor of the norms in the normalisations (default 1e-12). */
  eps?: number;
  /** The output dim of the weight (default 0; 1 for ConvTranspose1d/2d). */
  dim?: number;
}

/** x / max(||x||, eps). */
function normalize(x: Tensor, eps: number): Tensor {
  return x.div(x.square().sum().sqrt().clamp(eps));
}

/** The weight as a matrix [size(dim), rest] (dim moved first). */
function toMatrix(w: Tensor, dim: number): Tensor {
  const m = dim === 0 ? w : w.permute([dim, ...w.shape.map((_, i) => i).filter((i) => i !== dim)]);
  return m.reshape(w.shape[dim]!, -1);
}

/**
 * weight_orig / sigma, sigma = u . (W v) estimated by power iteration: in training mode
 * `nPowerIterations` steps update the buffers u and v in place first (no gradient through them).
 */
function computeWeight(
  module: AnyModule,
  name: string,
  dim: number,
  n: number,
  eps: number,
  iterate: boolean,
): Tensor {
  const a = attrs(module);
  const w = a[`${name}_orig`] as Tensor;
  const uBuf = a[`${name}_u`] as Tensor;
  const vBuf = a[`${name}_v`] as Tensor;
  const mat = toMatrix(w, dim);
  if (iterate && n > 0) {
    noGrad(() => {
      const m = mat.detach();
      let u = uBuf;
      let v = vBuf;
      for (let i = 0; i < n; i++) {
        v = normalize(m.transpose(0, 1).matmul(u), eps);
        u = normalize(m.matmul(v), eps);
      }
      uBuf.copy_(u);
      vBuf.copy_(v);
    });
  }
  // Clones, so that later in-place updates of the buffers cannot change this graph's inputs.
  const u = uBuf.clone();
  const v = vBuf.clone();
  const sigma = u.dot(mat.matmul(v));
  return w.div(sigma);
}

/**
 * Spectral normalisation (PyTorch's torch.nn.utils.spectral_norm, Miyato et al. 2018): the
 * parameter `name` of `module` becomes `${name}_orig`, with buffers `${name}_u` [size(dim)] and
 * `${name}_v` (unit vectors, N(0, 1) then normalised), and before every `call`
 * `module[name] = weight_orig / sigma`, sigma the largest singular value estimated by power
 * iteration (updated only in training mode). State-dict keys are PyTorch's. Returns the module.
 */
export function spectralNorm<M extends AnyModule>(
  module: M,
  name = 'weight',
  opts: SpectralNormOptions = {},
): M {
  const op = 'spectralNorm';
  checkOptions(op, opts, { nPowerIterations: 'integer', eps: 'number', dim: 'integer' });
  const a = attrs(module);
  const w = a[name];
  if (a[`${name}_orig`] !== undefined)
    throw new RangeError(`${op}: '${name}' already has a spectral norm (${name}_orig exists)`);
  if (!(w instanceof Parameter)) throw new TypeError(`${op}: module has no parameter '${name}'`);
  const n = opts.nPowerIterations ?? 1;
  const eps = opts.eps ?? 1e-12;
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`${op}: nPowerIterations must be a non-negative integer, got ${JSON.stringify(n)}`);
  if (!(eps > 0)) throw new RangeError(`${op}: eps must be positive, got ${JSON.stringify(eps)}`);
  const transposed = module instanceof ConvTranspose1d || module instanceof ConvTranspose2d;
  let dim = opts.dim ?? (transposed ? 1 : 0);
  if (w.ndim === 0 || !Number.isInteger(dim) || dim < -w.ndim || dim >= w.ndim)
    throw new RangeError(
      `${op}: dim ${JSON.stringify(opts.dim)} is out of range for '${name}' of shape ${fmt(w.shape)}`,
    );
  if (dim < 0) dim += w.ndim;
  const mat = toMatrix(w, dim);
  const f = { dtype: w.dtype, device: w.device };
  const u = noGrad(() => normalize(randn([mat.shape[0]!], f), eps));
  const v = noGrad(() => normalize(randn([mat.shape[1]!], f), eps));
  delete a[name];
  a[`${name}_orig`] = w;
  module.registerBuffer(`${name}_u`, u);
  module.registerBuffer(`${name}_v`, v);
  a[name] = noGrad(() => computeWeight(module, name, dim, n, eps, false));
  const h = module.registerForwardPreHook((m) => {
    attrs(m)[name] = computeWeight(m, name, dim, n, eps, m.training);
  });
  recordHandle(module, name, { kind: 'spectralNorm', remove: () => h.remove(), dim });
  return module;
}

/**
 * Undoes spectralNorm (PyTorch's remove_spectral_norm): `name` becomes a parameter holding
 * weight_orig / sigma with the current u and v; weight_orig, the buffers and the hook go.
 */
export function removeSpectralNorm<M extends AnyModule>(module: M, name = 'weight'): M {
  const { dim } = takeHandle('removeSpectralNorm', module, name, 'spectralNorm');
  const a = attrs(module);
  const w = noGrad(() => computeWeight(module, name, dim!, 0, 1e-12, false));
  delete a[`${name}_orig`];
  module.registerBuffer(`${name}_u`, null);
  module.registerBuffer(`${name}_v`, null);
  delete a[`${name}_u`];
  delete a[`${name}_v`];
  delete a[name];
  a[name] = new Parameter(w.detach().contiguous());
  return module;
}
