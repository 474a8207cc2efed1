import {
  getOpObserver,
  hasOpObservers,
  type OpObserver,
  pushOpObserver,
  runOp,
  setOpObserver,
  type Tensor,
  tensor,
} from '@tessera/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { testOp } from './helpers-op.js';

/** An observer that logs `<tag>>op` before computing and `<op<tag>` after (also when it throws). */
function logger(tag: string, log: string[]): OpObserver {
  return {
    run(call, compute) {
      log.push(`${tag}>${call.name}`);
      try {
        return compute();
      } finally {
        log.push(`${call.name}<${tag}`);
      }
    },
  };
}

afterEach(() => {
  // Every test leaves the dispatch as it found it: no base observer, nothing pushed.
  expect(getOpObserver()).toBe(null);
  expect(hasOpObservers()).toBe(false);
});

describe('op observer stack', () => {
  it('runs the newest observer first, each compute calling the next one down, the base last', () => {
    const log: string[] = [];
    setOpObserver(logger('base', log));
    const a = pushOpObserver(logger('a', log));
    const b = pushOpObserver(logger('b', log));
    try {
      const x = tensor([1, 2]);
      expect(x.neg().arraySync()).toEqual([-1, -2]);
      expect(log).toEqual(['b>neg', 'a>neg', 'base>neg', 'neg<base', 'neg<a', 'neg<b']);
    } finally {
      b.remove();
      a.remove();
      setOpObserver(null);
    }
  });

  it('passes each observer the same call and the result the next one returned', () => {
    const calls: unknown[] = [];
    const results: Tensor[] = [];
    const spy: OpObserver = {
      run(call, compute) {
        calls.push(call);
        const r = compute();
        results.push(r as Tensor);
        return r;
      },
    };
    const h1 = pushOpObserver(spy);
    const h2 = pushOpObserver(spy);
    try {
      const x = tensor([1, 2]);
      const y = x.add(x);
      expect(calls).toHaveLength(2);
      expect(calls[0]).toBe(calls[1]);
      expect(results[0]).toBe(y);
      expect(results[1]).toBe(y);
    } finally {
      h1.remove();
      h2.remove();
    }
  });

  it('lets observers be removed in any order, and a handle removed twice does nothing', () => {
    const log: string[] = [];
    const a = pushOpObserver(logger('a', log));
    const b = pushOpObserver(logger('b', log));
    const c = pushOpObserver(logger('c', log));
    const x = tensor([1, 2]);
    b.remove();
    b.remove();
    x.neg();
    expect(log).toEqual(['c>neg', 'a>neg', 'neg<a', 'neg<c']);
    log.length = 0;
    a.remove();
    x.neg();
    expect(log).toEqual(['c>neg', 'neg<c']);
    log.length = 0;
    c[Symbol.dispose]();
    x.neg();
    expect(log).toEqual([]);
  });

  it('sends elementwise ops to pushed observers when no base observer is set', () => {
    const log: string[] = [];
    const h = pushOpObserver(logger('p', log));
    try {
      const x = tensor([1, -2]);
      x.relu().add(x).mul(2);
      expect(log.filter((s) => s.startsWith('p>'))).toEqual(['p>relu', 'p>add', 'p>mul']);
    } finally {
      h.remove();
    }
  });

  it('sends ops run inside an op through the whole stack again', () => {
    const log: string[] = [];
    const h = pushOpObserver(logger('p', log));
    setOpObserver(logger('base', log));
    try {
      const x = tensor([1, 2]);
      runOp(testOp('outer'), [x], {}, () => x.neg());
      expect(log).toEqual([
        'p>outer',
        'base>outer',
        'p>neg',
        'base>neg',
        'neg<base',
        'neg<p',
        'outer<base',
        'outer<p',
      ]);
    } finally {
      setOpObserver(null);
      h.remove();
    }
  });

  it('unwinds every observer when an op throws, and leaves the stack as it was', () => {
    const log: string[] = [];
    const a = pushOpObserver(logger('a', log));
    const b = pushOpObserver(logger('b', log));
    try {
      const x = tensor([1, 2]);
      const failing = (): Tensor => {
        throw new Error('kernel failed');
      };
      expect(() => runOp(testOp('boom'), [x], {}, failing)).toThrow('kernel failed');
      expect(log).toEqual(['b>boom', 'a>boom', 'boom<a', 'boom<b']);
      log.length = 0;
      x.neg();
      expect(log).toEqual(['b>neg', 'a>neg', 'neg<a', 'neg<b']);
    } finally {
      a.remove();
      b.remove();
    }
  });

  it('unwinds when an observer itself throws, before or after computing', () => {
    const log: string[] = [];
    const a = pushOpObserver(logger('a', log));
    const bad = pushOpObserver({
      run() {
        throw new Error('observer failed');
      },
    });
    const x = tensor([1, 2]);
    try {
      expect(() => x.neg()).toThrow('observer failed');
      expect(log).toEqual([]);
    } finally {
      bad.remove();
    }
    const late = pushOpObserver({
      run(_call, compute) {
        compute();
        throw new Error('late failure');
      },
    });
    try {
      expect(() => x.neg()).toThrow('late failure');
      expect(log).toEqual(['a>neg', 'neg<a']);
    } finally {
      late.remove();
      a.remove();
    }
  });

  it('setOpObserver replaces only the base observer: pushed ones stay and keep seeing ops', () => {
    const log: string[] = [];
    const base = logger('base', log);
    expect(setOpObserver(base)).toBe(null);
    const h = pushOpObserver(logger('p', log));
    try {
      expect(getOpObserver()).toBe(base);
      // What optimizers do to stop autograd's recording for an update.
      const prev = setOpObserver(null);
      expect(prev).toBe(base);
      expect(hasOpObservers()).toBe(true);
      tensor([1]).neg();
      expect(log).toEqual(['p>neg', 'neg<p']);
      setOpObserver(prev);
      log.length = 0;
      tensor([1]).neg();
      expect(log).toEqual(['p>neg', 'base>neg', 'neg<base', 'neg<p']);
    } finally {
      h.remove();
      setOpObserver(null);
    }
  });

  it('rejects something that is not an observer, naming the function', () => {
    expect(() => pushOpObserver({} as OpObserver)).toThrow(
      /pushOpObserver: expected an object with a run.*got an object without one/,
    );
    expect(() => setOpObserver((() => 1) as unknown as OpObserver)).toThrow(
      /setOpObserver: expected an object with a run\(call, compute\) method, got function/,
    );
    expect(hasOpObservers()).toBe(false);
  });
});
