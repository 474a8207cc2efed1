import { noGrad } from '@tessera/autograd';
import { F, InstanceNorm1d, InstanceNorm2d } from '@tessera/nn';
import { arange, randn, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { expectClose, flat, gradcheckModule } from './helpers/grad.js';

const f64 = { dtype: 'float64' as const };
// torch 1.13 float64 references (x = sin(1.3 * (1..24)) * [1, 2, 3, 4] over the last dim).
const X = [
  0.9635581854, 1.0310027436, -2.0632984776, -3.5338186229, 0.2151199881, 1.9970866907, 0.957295087,
  -3.3113058763, -0.7619835839, 0.8403340737, 2.9603158928, 0.4310146092, -0.9291240127, -1.2096656448,
  1.8166196092, 3.7151809363, -0.1086365954, -1.9738311162, -1.2580827482, 3.0502338019, 0.8273279006,
  -0.6398799238, -2.995485092, -0.8570101612,
];

describe('InstanceNorm1d / InstanceNorm2d', () => {
  it('have PyTorch defaults: no affine, no running stats, empty state dict', () => {
    const m = new InstanceNorm2d(3);
    expect(m.affine).toBe(false);
    expect(m.trackRunningStats).toBe(false);
    expect(m.eps).toBe(1e-5);
    expect(Object.keys(m.stateDict())).toEqual([]);
    const y = m.call(tensor(X, { ...f64, shape: [2, 3, 2, 2] })) as Tensor;
    expectClose(
      flat(y),
      [
        0.9472599794, 0.9815307797, -0.5907855325, -1.3380052266, 0.1256361875, 1.0191134407, 0.4977624275,
        -1.6425120557, -1.2122660804, -0.0201519413, 1.5571010393, -0.3246830177, -0.8737665752,
        -1.0116821314, 0.4760536143, 1.4093950923, -0.018762184, -0.9893006251, -0.6168669204, 1.6249297295,
        1.2781861105, 0.2026093041, -1.5242314623, 0.0434360477,
      ],
      1e-9,
    );
  });

  it('affine + trackRunningStats match PyTorch: output, gradients, running stats, eval output', () => {
    const m = new InstanceNorm1d(3, { affine: true, trackRunningStats: true, dtype: 'float64' });
    expect(Object.keys(m.stateDict())).toEqual([
      'weight',
      'bias',
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
    noGrad(() => {
      m.weight!.copy_(tensor([1.5, -0.5, 2], f64));
      m.bias!.copy_(tensor([0.1, 0.2, -0.3], f64));
    });
    const x = tensor(X, { ...f64, shape: [2, 3, 4] }).requiresGrad_();
    const y = m.call(x) as Tensor;
    y.mul(arange(1, 25, 1, f64).reshape(2, 3, 4).cos())
      .sum()
      .backward();
    expectClose(
      flat(y),
      [
        1.5208899692, 1.5722961695, -0.7861782988, -1.9070078399, 0.1371819062, -0.3095567203, -0.0488812137,
        1.0212560279, -2.7245321607, -0.3403038826, 2.8142020786, -0.9493660353, -1.2106498628, -1.4175231972,
        0.8140804215, 2.2140926385, 0.209381092, 0.6946503125, 0.5084334602, -0.6124648648, 2.256372221,
        0.1052186082, -3.3484629245, -0.2131279047,
      ],
      1e-9,
    );
    expectClose(
      flat(x.grad!),
      [
        0.4192695298, -0.319940943, -0.289104339, 0.1897757522, 0.0577971522, -0.0206145068, -0.0221125201,
        -0.0150701253, -0.6349622945, -0.9066110111, -0.1527717876, 1.6943450931, 0.3675847026, -0.2679299743,
        -0.2041818982, 0.1045271699, 0.1882176471, -0.0176140925, -0.1174615674, -0.0531419872, -0.1621550741,
        -0.8536274627, -0.214391815, 1.2301743517,
      ],
      1e-9,
    );
    expectClose(flat(m.weight!.grad!), [-1.0798063675, 1.0335268901, 0.782231654], 1e-8);
    expectClose(flat(m.bias!.grad!), [-2.1926440417, 3.6341747428, -2.5582662339], 1e-8);
    expectClose(flat(m.running_mean!), [-0.002619316, -0.0054015096, -0.0024420786], 1e-9);
    expectClose(flat(m.running_var!), [1.4340498472, 1.411403399, 1.1444920802], 1e-9);
    m.eval();
    const ye = m.call(x) as Tensor;
    expectClose(
      flat(ye),
      [
        1.3102206005, 1.3947007231, -2.4811782707, -4.3231315046, 0.1071902037, -0.6427773437, -0.205165374,
        1.5913396845, -1.7199505278, 1.2755563504, 5.2388279843, 0.510340249, -1.060526993, -1.4119295685,
        2.3787535637, 4.756865273, 0.243448042, 1.0284432712, 0.7272097816, -1.0860101801, 1.2512415207,
        -1.4916797151, -5.8954453794, -1.8976011731,
      ],
      1e-9,
    );
  });

  it('takes unbatched input and passes gradcheck', () => {
    const m = new InstanceNorm2d(2, { affine: true, dtype: 'float64' });
    const x = randn([2, 3, 3], f64);
    expectClose(flat(m.call(x) as Tensor), flat((m.call(x.unsqueeze(0)) as Tensor).squeeze(0)));
    expect(gradcheckModule(m, [randn([2, 2, 2, 3], f64).requiresGrad_()])).toBe(true);
  });

  it('rejects wrong ranks, channel counts and single-element instances', () => {
    expect(() => new InstanceNorm1d(3).call(randn([2, 3, 4, 5]))).toThrow(
      /InstanceNorm1d: input must be \[N, C, L\] or \[C, L\], got shape \[2,3,4,5\]/,
    );
    expect(() => new InstanceNorm1d(3, { affine: true }).call(randn([2, 4, 5]))).toThrow(
      /InstanceNorm1d: expected 3 channels, got input of shape \[2,4,5\]/,
    );
    expect(() => new InstanceNorm1d(3).call(randn([2, 3, 1]))).toThrow(/more than 1 spatial element/);
    expect(() => F.instanceNorm(randn([2, 3]))).toThrow(/instanceNorm: input must have at least 3 dims/);
    expect(() => new InstanceNorm1d(3, { afine: true } as never)).toThrow(/afine/);
  });
});
