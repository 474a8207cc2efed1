#!/usr/bin/env python3
"""Writes packages/optim/test/fixtures/torch-schedulers.json: PyTorch 1.13's learning-rate (and
momentum) sequences for the schedulers that packages/optim/test/schedulers-torch.test.ts compares
step by step. Run with Debian's python3-torch: /usr/bin/python3 scripts/torch-reference-schedulers.py
"""
import json
import os
import warnings

import torch
from torch.optim import SGD, lr_scheduler

warnings.filterwarnings('ignore')
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'packages', 'optim', 'test', 'fixtures',
                   'torch-schedulers.json')
CASES = []


def run(name, make, options, steps=40, lrs=(0.1, 0.05), momentum=0.9, metrics=None):
    params = [torch.nn.Parameter(torch.zeros(2)) for _ in lrs]
    opt = SGD([{'params': [p], 'lr': lr} for p, lr in zip(params, lrs)], lr=lrs[0], momentum=momentum)
    sched = make(opt)
    lr_seq, mom_seq = [], []
    for k in range(steps):
        if k > 0:
            opt.step()
            if metrics is None:
                sched.step()
            else:
                sched.step(metrics[k - 1])
        lr_seq.append([g['lr'] for g in opt.param_groups])
        mom_seq.append([g['momentum'] for g in opt.param_groups])
    case = {'scheduler': name, 'options': options, 'groupLrs': list(lrs), 'momentum': momentum,
            'lrs': lr_seq, 'momentums': mom_seq}
    if metrics is not None:
        case['metrics'] = metrics[:steps - 1]
    CASES.append(case)


def main():
    run('ConstantLR', lambda o: lr_scheduler.ConstantLR(o), {}, steps=10)
    run('ConstantLR', lambda o: lr_scheduler.ConstantLR(o, factor=0.5, total_iters=3), {'factor': 0.5, 'totalIters': 3},
        steps=8)
    run('ConstantLR', lambda o: lr_scheduler.ConstantLR(o, factor=0.25, total_iters=0), {'factor': 0.25, 'totalIters': 0},
        steps=4)
    run('PolynomialLR', lambda o: lr_scheduler.PolynomialLR(o), {}, steps=10)
    run('PolynomialLR', lambda o: lr_scheduler.PolynomialLR(o, total_iters=7, power=2.5),
        {'totalIters': 7, 'power': 2.5}, steps=12)
    run('PolynomialLR', lambda o: lr_scheduler.PolynomialLR(o, total_iters=4, power=0.5),
        {'totalIters': 4, 'power': 0.5}, steps=8)
    run('CosineAnnealingWarmRestarts', lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=5),
        {'t0': 5}, steps=23)
    run('CosineAnnealingWarmRestarts',
        lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001),
        {'t0': 3, 'tMult': 2, 'etaMin': 0.001}, steps=50)
    run('CyclicLR', lambda o: lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
        {'baseLr': 0.01, 'maxLr': 0.1, 'stepSizeUp': 4}, steps=30)
    run('CyclicLR',
        lambda o: lr_scheduler.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=3, step_size_down=5,
                                        mode='triangular2', base_momentum=0.85, max_momentum=0.95),
        {'baseLr': [0.01, 0.02], 'maxLr': [0.1, 0.3], 'stepSizeUp': 3, 'stepSizeDown': 5, 'mode': 'triangular2',
         'baseMomentum': 0.85, 'maxMomentum': 0.95}, steps=40)
    run('CyclicLR',
        lambda o: lr_scheduler.CyclicLR(o, base_lr=0.001, max_lr=0.1, step_size_up=5, mode='exp_range', gamma=0.97),
        {'baseLr': 0.001, 'maxLr': 0.1, 'stepSizeUp': 5, 'mode': 'exp_range', 'gamma': 0.97}, steps=40)
    run('CyclicLR',
        lambda o: lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.05, step_size_up=2, cycle_momentum=False),
        {'baseLr': 0.01, 'maxLr': 0.05, 'stepSizeUp': 2, 'cycleMomentum': False}, steps=12)
    # The schedulers that existed before: the same comparison.
    run('StepLR', lambda o: lr_scheduler.StepLR(o, 3, gamma=0.5), {'stepSize': 3, 'gamma': 0.5}, steps=12)
    run('MultiStepLR', lambda o: lr_scheduler.MultiStepLR(o, [2, 5, 6], gamma=0.3),
        {'milestones': [2, 5, 6], 'gamma': 0.3}, steps=10)
    run('ExponentialLR', lambda o: lr_scheduler.ExponentialLR(o, 0.9), {'gamma': 0.9}, steps=10)
    run('CosineAnnealingLR', lambda o: lr_scheduler.CosineAnnealingLR(o, 6, eta_min=0.001), {'tMax': 6, 'etaMin': 0.001},
        steps=20)
    run('LinearLR', lambda o: lr_scheduler.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=4),
        {'startFactor': 0.2, 'endFactor': 0.9, 'totalIters': 4}, steps=8)
    run('LambdaLR', lambda o: lr_scheduler.LambdaLR(o, lambda e: 0.95 ** e), {'lambda': '0.95 ** epoch'}, steps=8)
    run('OneCycleLR', lambda o: lr_scheduler.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=20),
        {'maxLr': [0.5, 0.2], 'totalSteps': 20}, steps=20)
    run('OneCycleLR',
        lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.3, total_steps=15, pct_start=0.4, anneal_strategy='linear',
                                          three_phase=True, div_factor=10, final_div_factor=100),
        {'maxLr': 0.3, 'totalSteps': 15, 'pctStart': 0.4, 'annealStrategy': 'linear', 'threePhase': True,
         'divFactor': 10, 'finalDivFactor': 100}, steps=15)
    run('SequentialLR',
        lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.LinearLR(o, start_factor=0.5, total_iters=3),
                                                lr_scheduler.ExponentialLR(o, 0.9),
                                                lr_scheduler.CosineAnnealingLR(o, 4)], milestones=[3, 6]),
        {'children': ['LinearLR 0.5 3', 'ExponentialLR 0.9', 'CosineAnnealingLR 4'], 'milestones': [3, 6]}, steps=14)
    metrics = [1.0, 0.9, 0.95, 0.93, 0.91, 0.92, 0.5, 0.6, 0.7, 0.8, 0.9, 0.4, 0.45, 0.44, 0.46, 0.47]
    run('ReduceLROnPlateau',
        lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=1, threshold=0.05, cooldown=1, min_lr=0.01),
        {'factor': 0.5, 'patience': 1, 'threshold': 0.05, 'cooldown': 1, 'minLr': 0.01}, steps=17, metrics=metrics)
    run('ReduceLROnPlateau',
        lambda o: lr_scheduler.ReduceLROnPlateau(o, mode='max', patience=2, threshold=0.01, threshold_mode='abs'),
        {'mode': 'max', 'patience': 2, 'threshold': 0.01, 'thresholdMode': 'abs'}, steps=17, metrics=metrics)
    # step(epoch) with fractional epochs (once per batch), then plain steps.
    params = [torch.nn.Parameter(torch.zeros(2))]
    opt = SGD(params, lr=0.1, momentum=0.9)
    sched = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2, eta_min=0.01)
    epochs, seq = [], []
    for epoch in range(7):
        for i in range(3):
            epochs.append(epoch + i / 3)
            sched.step(epoch + i / 3)
            seq.append(sched.get_last_lr())
    for _ in range(4):
        epochs.append(None)
        sched.step()
        seq.append(sched.get_last_lr())
    CASES.append({'scheduler': 'CosineAnnealingWarmRestarts', 'options': {'t0': 2, 'tMult': 2, 'etaMin': 0.01},
                  'groupLrs': [0.1], 'momentum': 0.9, 'epochs': epochs, 'lrs': seq})
    with open(OUT, 'w') as f:
        json.dump({'generator': 'scripts/torch-reference-schedulers.py', 'torch': torch.__version__, 'cases': CASES}, f)
        f.write('\n')
    print(f'{len(CASES)} scheduler sequences -> {os.path.relpath(OUT)}')


if __name__ == '__main__':
    main()
