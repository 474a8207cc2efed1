import { button } from '../lib/controls.js';
import { h, svg, uniqueId } from '../lib/dom.js';
import { type BackpropTrace, DEFAULT_TINY_NET, type TinyNetParams } from './tiny-net.js';

/** Formats a value for the step-through (4 decimals, sign kept). */
const f = (v: number) => (Math.abs(v) < 5e-5 ? '0.0000' : v.toFixed(4));
/** A factor inside a product, parenthesised when negative. */
const p = (v: number) => (v < 0 ? `(${f(v)})` : f(v));

/** What a step reveals and highlights. */
interface Step {
  phase: 'forward' | 'backward' | 'update';
  title: string;
  text: (t: BackpropTrace) => string;
  /** Quantities shown from this step on (keys of `NODE_LINES` entries and edge labels). */
  reveal: string[];
  /** Nodes and edges to highlight. */
  focus: string[];
}

const STEPS: Step[] = [
  ...[0, 1].flatMap((i): Step[] => [
    {
      phase: 'forward',
      title: `z${i + 1}: weighted sum into hidden unit ${i + 1}`,
      text: (t) =>
        `z${i + 1} = w${i + 1}1·x1 + w${i + 1}2·x2 + b${i + 1}\n   = ${p(t.params.w[i]![0])}·${p(t.params.x[0])} + ${p(t.params.w[i]![1])}·${p(t.params.x[1])} + ${p(t.params.b[i]!)}\n   = ${f(t.z[i]!)}`,
      reveal: [`z${i + 1}`],
      focus: [`h${i + 1}`, `e-x1-h${i + 1}`, `e-x2-h${i + 1}`],
    },
    {
      phase: 'forward',
      title: `h${i + 1} = σ(z${i + 1})`,
      text: (t) => `h${i + 1} = σ(z${i + 1}) = 1 / (1 + e^(−${p(t.z[i]!)}))\n   = ${f(t.h[i]!)}`,
      reveal: [`h${i + 1}`],
      focus: [`h${i + 1}`],
    },
  ]),
  {
    phase: 'forward',
    title: 'zo: weighted sum into the output',
    text: (t) =>
      `zo = v1·h1 + v2·h2 + c\n   = ${p(t.params.v[0])}·${p(t.h[0])} + ${p(t.params.v[1])}·${p(t.h[1])} + ${p(t.params.c)}\n   = ${f(t.zo)}`,
    reveal: ['zo'],
    focus: ['y', 'e-h1-y', 'e-h2-y'],
  },
  {
    phase: 'forward',
    title: 'y = σ(zo): the prediction',
    text: (t) => `y = σ(zo) = σ(${f(t.zo)})\n   = ${f(t.y)}`,
    reveal: ['y'],
    focus: ['y'],
  },
  {
    phase: 'forward',
    title: 'The loss L = ½(y − t)²',
    text: (t) => `L = ½(y − t)² = ½(${f(t.y)} − ${f(t.params.target)})²\n   = ${f(t.loss)}`,
    reveal: ['L'],
    focus: ['L', 'e-y-L'],
  },
  {
    phase: 'backward',
    title: '∂L/∂y: start of the backward pass',
    text: (t) => `∂L/∂y = y − t = ${f(t.y)} − ${f(t.params.target)}\n      = ${f(t.dy)}`,
    reveal: ['dy'],
    focus: ['y', 'e-y-L'],
  },
  {
    phase: 'backward',
    title: '∂L/∂zo through the sigmoid',
    text: (t) =>
      `σ'(zo) = y(1 − y) = ${f(t.y)}·${f(1 - t.y)} = ${f(t.y * (1 - t.y))}\n∂L/∂zo = ∂L/∂y · σ'(zo) = ${p(t.dy)}·${f(t.y * (1 - t.y))}\n       = ${f(t.dzo)}`,
    reveal: ['dzo'],
    focus: ['y'],
  },
  {
    phase: 'backward',
    title: 'Gradients of the output weights',
    text: (t) =>
      `∂L/∂v1 = ∂L/∂zo · h1 = ${p(t.dzo)}·${p(t.h[0])} = ${f(t.dv[0])}\n∂L/∂v2 = ∂L/∂zo · h2 = ${p(t.dzo)}·${p(t.h[1])} = ${f(t.dv[1])}\n∂L/∂c  = ∂L/∂zo = ${f(t.dc)}`,
    reveal: ['dv1', 'dv2', 'dc'],
    focus: ['e-h1-y', 'e-h2-y', 'y'],
  },
  {
    phase: 'backward',
    title: 'Back into the hidden units',
    text: (t) =>
      `∂L/∂h1 = ∂L/∂zo · v1 = ${p(t.dzo)}·${p(t.params.v[0])} = ${f(t.dh[0])}\n∂L/∂h2 = ∂L/∂zo · v2 = ${p(t.dzo)}·${p(t.params.v[1])} = ${f(t.dh[1])}`,
    reveal: ['dh1', 'dh2'],
    focus: ['h1', 'h2', 'e-h1-y', 'e-h2-y'],
  },
  {
    phase: 'backward',
    title: 'Through the hidden sigmoids',
    text: (t) =>
      [0, 1]
        .map(
          (i) =>
            `∂L/∂z${i + 1} = ∂L/∂h${i + 1} · h${i + 1}(1 − h${i + 1}) = ${p(t.dh[i]!)}·${f(t.h[i]! * (1 - t.h[i]!))} = ${f(t.dz[i]!)}`,
        )
        .join('\n'),
    reveal: ['dz1', 'dz2'],
    focus: ['h1', 'h2'],
  },
  ...[0, 1].map(
    (i): Step => ({
      phase: 'backward',
      title: `Gradients of the weights into hidden unit ${i + 1}`,
      text: (t) =>
        `∂L/∂w${i + 1}1 = ∂L/∂z${i + 1} · x1 = ${p(t.dz[i]!)}·${p(t.params.x[0])} = ${f(t.dw[i]![0])}\n∂L/∂w${i + 1}2 = ∂L/∂z${i + 1} · x2 = ${p(t.dz[i]!)}·${p(t.params.x[1])} = ${f(t.dw[i]![1])}\n∂L/∂b${i + 1}  = ∂L/∂z${i + 1} = ${f(t.db[i]!)}`,
      reveal: [`dw${i + 1}1`, `dw${i + 1}2`, `db${i + 1}`],
      focus: [`e-x1-h${i + 1}`, `e-x2-h${i + 1}`, `h${i + 1}`],
    }),
  ),
  {
    phase: 'update',
    title: 'Update: p ← p − η·∂L/∂p',
    text: (t) => {
      const rows: string[] = [`η = ${t.params.lr}`];
      const line = (name: string, old: number, g: number, nu: number) => {
        rows.push(`${name.padEnd(3)} ${f(old).padStart(8)} − ${t.params.lr}·${p(g)} = ${f(nu)}`);
      };
      for (const i of [0, 1]) {
        for (const j of [0, 1]) line(`w${i + 1}${j + 1}`, t.params.w[i]![j]!, t.dw[i]![j]!, t.next.w[i]![j]!);
      }
      for (const i of [0, 1]) line(`b${i + 1}`, t.params.b[i]!, t.db[i]!, t.next.b[i]!);
      for (const i of [0, 1]) line(`v${i + 1}`, t.params.v[i]!, t.dv[i]!, t.next.v[i]!);
      line('c', t.params.c, t.dc, t.next.c);
      return rows.join('\n');
    },
    reveal: ['next'],
    focus: ['e-x1-h1', 'e-x2-h1', 'e-x1-h2', 'e-x2-h2', 'e-h1-y', 'e-h2-y'],
  },
  {
    phase: 'update',
    title: 'Same example, new weights: the loss went down',
    text: (t) =>
      `loss before the step: ${f(t.loss)}\nloss after the step:  ${f(t.lossAfter)}\n\nEvery number above was computed by Tessera's autograd\n(loss.backward() with retainGrad on z, h, zo, y) and\n@tessera/optim's SGD.`,
    reveal: ['after'],
    focus: ['L'],
  },
];

/**
 * Step-through of one training step of a 2-2-1 sigmoid network: the graph (SVG) shows values and
 * gradients as they become known; the panel explains the current step with its numbers.
 */
export class BackpropView {
  readonly root: HTMLElement;
  private trace: BackpropTrace | null = null;
  private at = -1;
  private readonly graph: SVGSVGElement;
  private readonly explain: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly table: HTMLTableElement;
  private readonly prevBtn: HTMLButtonElement;
  private readonly nextBtn: HTMLButtonElement;
  private readonly inputs: {
    x1: HTMLInputElement;
    x2: HTMLInputElement;
    t: HTMLInputElement;
    lr: HTMLInputElement;
  };
  private params: TinyNetParams = DEFAULT_TINY_NET;

  constructor(private readonly request: (p: TinyNetParams) => void) {
    this.graph = svg('svg', { viewBox: '0 0 720 300', role: 'img', 'aria-label': 'The tiny network' });
    this.explain = h('div', { class: 'bp-explain', 'aria-live': 'polite', 'data-testid': 'bp-explain' });
    this.list = h('ol', { class: 'bp-steps' });
    this.table = h(
      'table',
      { class: 'bp-params' },
      h('caption', {}, 'Parameters'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'parameter'),
          h('th', { scope: 'col' }, 'value'),
          h('th', { scope: 'col' }, '∂L/∂p'),
          h('th', { scope: 'col' }, 'after the step'),
        ),
      ),
      h('tbody'),
    );
    STEPS.forEach((s, i) => {
      const b = h('button', { type: 'button', class: 'linkish', onclick: () => this.go(i) }, s.title);
      this.list.append(h('li', { 'data-phase': s.phase }, b));
    });
    this.prevBtn = button('◀ Back', () => this.go(this.at - 1), { 'data-action': 'bp-prev' });
    this.nextBtn = button('Next ▶', () => this.go(this.at + 1), {
      class: 'primary',
      'data-action': 'bp-next',
    });
    const num = (label: string, value: number, step: number) => {
      const id = uniqueId('bp');
      const input = h('input', { id, type: 'number', step, value, style: 'width:80px' });
      input.addEventListener('change', () => this.newParams());
      return {
        input,
        el: h('div', { class: 'field', style: 'margin:0' }, h('label', { for: id }, label), input),
      };
    };
    const x1 = num('x1', this.params.x[0], 0.1);
    const x2 = num('x2', this.params.x[1], 0.1);
    const t = num('target t', this.params.target, 0.1);
    const lr = num('learning rate η', this.params.lr, 0.1);
    this.inputs = { x1: x1.input, x2: x2.input, t: t.input, lr: lr.input };
    const controls = h(
      'div',
      { class: 'row' },
      this.prevBtn,
      this.nextBtn,
      button('Restart', () => this.go(-1)),
      button('Show all', () => this.go(STEPS.length - 1)),
      button('Train on it again', () => this.applyUpdate(), {
        title: 'Keep the updated weights and start a new step',
      }),
      button('Random weights', () => this.randomise()),
    );
    this.root = h(
      'div',
      { class: 'bp' },
      h(
        'div',
        {},
        // Focusable so that the keyboard can scroll it where it is wider than the screen.
        h(
          'div',
          { class: 'bp-graph', tabindex: 0, role: 'region', 'aria-label': 'The tiny network, scrollable' },
          this.graph,
        ),
        h('p', { class: 'scroll-hint' }, 'Scroll the network sideways to see all of it.'),
        h('div', { class: 'row', style: 'margin-top:8px' }, x1.el, x2.el, t.el, lr.el),
        this.table,
      ),
      h('div', {}, controls, h('div', { style: 'height:8px' }), this.explain, this.list),
    );
    this.root.addEventListener('keydown', (e) => {
      if ((e.target as HTMLElement).tagName === 'INPUT') return;
      if (e.key === 'ArrowRight') this.go(this.at + 1);
      else if (e.key === 'ArrowLeft') this.go(this.at - 1);
    });
  }

  /** Asks the worker for the first trace. */
  start(): void {
    this.request(this.params);
  }

  /** A new trace from the worker (for the current parameters). */
  setTrace(t: BackpropTrace): void {
    this.trace = t;
    this.go(-1);
  }

  private newParams(): void {
    const n = (i: HTMLInputElement, d: number) =>
      Number.isFinite(Number(i.value)) && i.value !== '' ? Number(i.value) : d;
    this.params = {
      ...this.params,
      x: [n(this.inputs.x1, 1), n(this.inputs.x2, 0)],
      target: n(this.inputs.t, 1),
      lr: n(this.inputs.lr, 1),
    };
    this.request(this.params);
  }

  private applyUpdate(): void {
    if (!this.trace) return;
    this.params = { ...this.trace.next, x: this.params.x, target: this.params.target, lr: this.params.lr };
    this.request(this.params);
  }

  private randomise(): void {
    const r = () => Math.round((Math.random() * 2 - 1) * 100) / 100;
    this.params = {
      ...this.params,
      w: [
        [r(), r()],
        [r(), r()],
      ],
      b: [r(), r()],
      v: [r(), r()],
      c: r(),
    };
    this.request(this.params);
  }

  /** Scrolls the step list (not the page) so that the current step is in view. */
  private followStep(): void {
    const li = this.list.children[Math.max(0, this.at)] as HTMLElement | undefined;
    if (!li) return;
    const list = this.list;
    if (li.offsetTop < list.scrollTop) list.scrollTop = li.offsetTop;
    else if (li.offsetTop + li.offsetHeight > list.scrollTop + list.clientHeight)
      list.scrollTop = li.offsetTop + li.offsetHeight - list.clientHeight;
  }

  private go(i: number): void {
    this.at = Math.max(-1, Math.min(STEPS.length - 1, i));
    this.prevBtn.disabled = this.at < 0;
    this.nextBtn.disabled = this.at >= STEPS.length - 1;
    this.root.dataset.step = String(this.at + 1);
    [...this.list.children].forEach((li, k) => {
      li.className = k === this.at ? 'current' : k < this.at ? 'done' : '';
      if (k === this.at) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
    });
    this.followStep();
    const t = this.trace;
    if (!t) return;
    const step = STEPS[this.at];
    this.explain.textContent = step
      ? `${this.at + 1}/${STEPS.length} · ${step.phase}: ${step.title}\n\n${step.text(t)}`
      : `A 2-2-1 network with sigmoid units learns one example: x = (${f(t.params.x[0])}, ${f(t.params.x[1])}), target t = ${f(t.params.target)}.\nPress Next (or →) to run the forward pass, then backpropagate the gradient and update the weights, one step at a time.`;
    const known = new Set(STEPS.slice(0, this.at + 1).flatMap((s) => s.reveal));
    const rows = new Set(
      step?.phase === 'update' && step.reveal.includes('next')
        ? ['w11', 'w12', 'b1', 'w21', 'w22', 'b2', 'v1', 'v2', 'c']
        : (step?.reveal ?? []).filter((k) => k.startsWith('d') && k.length <= 4).map((k) => k.slice(1)),
    );
    this.draw(t, known, new Set(step?.focus ?? []), rows);
  }

  private draw(t: BackpropTrace, known: Set<string>, focus: Set<string>, rows: Set<string>): void {
    const g = this.graph;
    g.replaceChildren();
    const pos: Record<string, [number, number]> = {
      x1: [50, 80],
      x2: [50, 220],
      h1: [310, 75],
      h2: [310, 225],
      y: [530, 150],
      L: [660, 150],
    };
    const labels: SVGTextElement[] = [];
    const edge = (id: string, a: string, b: string, label: string, at: number) => {
      const [x0, y0] = pos[a]!;
      const [x1, y1] = pos[b]!;
      g.append(
        svg('line', { x1: x0, y1: y0, x2: x1, y2: y1, class: `edge${focus.has(id) ? ' active' : ''}` }),
      );
      if (!label) return;
      const lx = x0 + (x1 - x0) * at;
      const ly = y0 + (y1 - y0) * at - 5;
      labels.push(svg('text', { x: lx, y: ly, class: 'edge-label', 'text-anchor': 'middle' }, label));
    };
    edge('e-x1-h1', 'x1', 'h1', `w11 = ${f(t.params.w[0][0])}`, 0.5);
    edge('e-x2-h1', 'x2', 'h1', `w12 = ${f(t.params.w[0][1])}`, 0.3);
    edge('e-x1-h2', 'x1', 'h2', `w21 = ${f(t.params.w[1][0])}`, 0.3);
    edge('e-x2-h2', 'x2', 'h2', `w22 = ${f(t.params.w[1][1])}`, 0.5);
    edge('e-h1-y', 'h1', 'y', `v1 = ${f(t.params.v[0])}`, 0.5);
    edge('e-h2-y', 'h2', 'y', `v2 = ${f(t.params.v[1])}`, 0.5);
    edge('e-y-L', 'y', 'L', '', 0.5);
    const node = (id: string, title: string, lines: [string, 'val' | 'grad' | ''][]) => {
      const [cx, cy] = pos[id]!;
      const height = 22 + 16 * lines.length;
      const width = id.startsWith('x') ? 76 : id === 'L' ? 110 : 128;
      const grp = svg('g', { class: `node${focus.has(id) ? ' active' : ''}` });
      grp.append(svg('rect', { x: cx - width / 2, y: cy - height / 2, width, height, rx: 8 }));
      grp.append(
        svg('text', { x: cx, y: cy - height / 2 + 16, 'text-anchor': 'middle', 'font-weight': 700 }, title),
      );
      lines.forEach(([text, cls], k) => {
        grp.append(
          svg('text', { x: cx, y: cy - height / 2 + 33 + 16 * k, 'text-anchor': 'middle', class: cls }, text),
        );
      });
      g.append(grp);
    };
    const show = (key: string, text: string, cls: 'val' | 'grad'): [string, 'val' | 'grad' | ''] =>
      known.has(key) ? [text, cls] : ['·', ''];
    node('x1', 'x1', [[f(t.params.x[0]), 'val']]);
    node('x2', 'x2', [[f(t.params.x[1]), 'val']]);
    [0, 1].forEach((i) => {
      const n = i + 1;
      node(`h${n}`, `h${n}`, [
        show(`z${n}`, `z=${f(t.z[i]!)}`, 'val'),
        show(`h${n}`, `h=${f(t.h[i]!)}`, 'val'),
        show(`dh${n}`, `∂L/∂h=${f(t.dh[i]!)}`, 'grad'),
        show(`dz${n}`, `∂L/∂z=${f(t.dz[i]!)}`, 'grad'),
      ]);
    });
    node('y', 'y', [
      show('zo', `zo=${f(t.zo)}`, 'val'),
      show('y', `y=${f(t.y)}`, 'val'),
      show('dy', `∂L/∂y=${f(t.dy)}`, 'grad'),
      show('dzo', `∂L/∂zo=${f(t.dzo)}`, 'grad'),
    ]);
    node('L', `L  (t=${f(t.params.target)})`, [
      show('L', `L=${f(t.loss)}`, 'val'),
      show('after', `next: ${f(t.lossAfter)}`, 'val'),
    ]);
    g.append(...labels);

    // The parameters: value, gradient once computed, value after the update.
    const params: [string, number, number, number][] = [
      ['w11', t.params.w[0][0], t.dw[0][0], t.next.w[0][0]],
      ['w12', t.params.w[0][1], t.dw[0][1], t.next.w[0][1]],
      ['b1', t.params.b[0], t.db[0], t.next.b[0]],
      ['w21', t.params.w[1][0], t.dw[1][0], t.next.w[1][0]],
      ['w22', t.params.w[1][1], t.dw[1][1], t.next.w[1][1]],
      ['b2', t.params.b[1], t.db[1], t.next.b[1]],
      ['v1', t.params.v[0], t.dv[0], t.next.v[0]],
      ['v2', t.params.v[1], t.dv[1], t.next.v[1]],
      ['c', t.params.c, t.dc, t.next.c],
    ];
    this.table.tBodies[0]!.replaceChildren(
      ...params.map(([name, v, d, nu]) =>
        h(
          'tr',
          { class: rows.has(name) ? 'current' : '' },
          h('th', { scope: 'row' }, name),
          h('td', {}, f(v)),
          h('td', { class: 'grad' }, known.has(`d${name}`) ? f(d) : '·'),
          h('td', {}, known.has('next') ? f(nu) : '·'),
        ),
      ),
    );
  }
}
