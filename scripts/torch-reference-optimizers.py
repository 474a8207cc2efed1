#!/usr/bin/env python3
"""Writes packages/optim/test/fixtures/torch-optimizers.json: PyTorch 1.13 optimizer trajectories
(parameters after each of 8 steps, given fixed gradients) that
packages/optim/test/optimizers-torch.test.ts replays. Run with Debian's python3-torch:
/usr/bin/python3 scripts/torch-reference-optimizers.py
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'packages', 'optim', 'test', 'fixtures',
                   'torch-optimizers.json')
STEPS = 8
CASES = []


def run(name, cls, options, torch_options, dtype=torch.float64):
    gen = torch.Generator().manual_seed(len(CASES) + 11)
    init = [torch.randn(3, 4, generator=gen, dtype=torch.float64), torch.randn(5, generator=gen, dtype=torch.float64)]
    grads = [[torch.randn(p.shape, generator=gen, dtype=torch.float64) for p in init] for _ in range(STEPS)]
    params = [torch.nn.Parameter(p.clone().to(dtype)) for p in init]
    opt = cls(params, **torch_options)
    traj = []
    for k in range(STEPS):
        for p, g in zip(params, grads[k]):
            p.grad = g.to(dtype)
        opt.step()
        traj.append([p.detach().reshape(-1).tolist() for p in params])
    CASES.append({
        'optimizer': name, 'options': options, 'dtype': str(dtype).replace('torch.', ''),
        'init': [p.reshape(-1).tolist() for p in init], 'shapes': [list(p.shape) for p in init],
        'grads': [[g.reshape(-1).tolist() for g in step] for step in grads], 'params': traj,
    })


def fixed_nadam():
    """torch.optim.NAdam with PyTorch 2.0's fix of mu_product_next (pytorch/pytorch#92699): 1.13
    multiplies mu in twice. Tessera follows the fix, so the fixture does too."""
    import inspect
    import torch.optim.nadam as nadam
    src = inspect.getsource(nadam)
    fixed = src.replace('mu_product_next = mu_product * mu * mu_next', 'mu_product_next = mu_product * mu_next')
    assert fixed != src, 'NAdam source changed: check whether the fix is still needed'
    namespace = {'__name__': 'torch.optim.nadam_fixed', '__package__': 'torch.optim'}
    exec(compile(fixed, 'nadam_fixed', 'exec'), namespace)
    return namespace['NAdam']


def main():
    O = torch.optim
    run('SGD', O.SGD, {'lr': 0.1}, {'lr': 0.1})
    run('SGD', O.SGD, {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.1, 'weightDecay': 0.01},
        {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.1, 'weight_decay': 0.01})
    run('SGD', O.SGD, {'lr': 0.05, 'momentum': 0.8, 'nesterov': True, 'maximize': True},
        {'lr': 0.05, 'momentum': 0.8, 'nesterov': True, 'maximize': True})
    run('Adam', O.Adam, {'lr': 0.01}, {'lr': 0.01})
    run('Adam', O.Adam, {'lr': 0.02, 'betas': [0.8, 0.99], 'weightDecay': 0.1, 'amsgrad': True},
        {'lr': 0.02, 'betas': (0.8, 0.99), 'weight_decay': 0.1, 'amsgrad': True})
    run('AdamW', O.AdamW, {'lr': 0.01, 'weightDecay': 0.1}, {'lr': 0.01, 'weight_decay': 0.1})
    run('AdamW', O.AdamW, {'lr': 0.01, 'amsgrad': True, 'eps': 1e-6}, {'lr': 0.01, 'amsgrad': True, 'eps': 1e-6})
    run('Adagrad', O.Adagrad, {'lr': 0.1, 'lrDecay': 0.01, 'weightDecay': 0.05, 'initialAccumulatorValue': 0.1},
        {'lr': 0.1, 'lr_decay': 0.01, 'weight_decay': 0.05, 'initial_accumulator_value': 0.1})
    run('Adadelta', O.Adadelta, {'lr': 1.0, 'rho': 0.8, 'weightDecay': 0.01},
        {'lr': 1.0, 'rho': 0.8, 'weight_decay': 0.01})
    run('Adamax', O.Adamax, {'lr': 0.02, 'weightDecay': 0.01}, {'lr': 0.02, 'weight_decay': 0.01})
    # mu_product is a tensor of the default dtype in PyTorch; Tessera keeps a float64 number.
    torch.set_default_dtype(torch.float64)
    run('NAdam', fixed_nadam(), {'lr': 0.01, 'momentumDecay': 0.005, 'weightDecay': 0.01},
        {'lr': 0.01, 'momentum_decay': 0.005, 'weight_decay': 0.01})
    torch.set_default_dtype(torch.float32)
    run('RAdam', O.RAdam, {'lr': 0.01, 'weightDecay': 0.01}, {'lr': 0.01, 'weight_decay': 0.01})
    run('RMSprop', O.RMSprop, {'lr': 0.01}, {'lr': 0.01})
    run('RMSprop', O.RMSprop, {'lr': 0.01, 'alpha': 0.9, 'momentum': 0.5, 'centered': True, 'weightDecay': 0.01},
        {'lr': 0.01, 'alpha': 0.9, 'momentum': 0.5, 'centered': True, 'weight_decay': 0.01})
    run('Adam', O.Adam, {'lr': 0.01}, {'lr': 0.01}, dtype=torch.float32)
    run('SGD', O.SGD, {'lr': 0.05, 'momentum': 0.9}, {'lr': 0.05, 'momentum': 0.9}, dtype=torch.float32)
    with open(OUT, 'w') as f:
        json.dump({'generator': 'scripts/torch-reference-optimizers.py', 'torch': torch.__version__, 'cases': CASES}, f)
        f.write('\n')
    print(f'{len(CASES)} optimizer trajectories -> {os.path.relpath(OUT)}')


if __name__ == '__main__':
    main()
