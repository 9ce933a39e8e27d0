// Health: the last 24 hours or 7 days in hourly buckets, drawn with uPlot (canvas; the CSP allows it, no inline
// style attribute or script is involved). Each chart has a heading, a one-line summary of the window's numbers and a
// table of every hour with activity, so a keyboard or screen-reader user gets the same figures as the picture.
import uPlot from 'uplot';
import { api, type Series } from '../api';
import { $, h, table } from '../dom';
import type { View } from '../view';

type Window = Series['window'];
const WINDOW_NAMES: Record<Window, string> = { '24h': 'Last 24 hours', '7d': 'Last 7 days' };
/** Distinct in hue and lightness; thresholds are also dashed, so no line is told apart by colour alone. */
const COLOURS = ['#0b5e67', '#1d6b3a', '#7b61a8', '#b3261e', '#8a5a00', '#3e4c59'];

interface Line {
  label: string;
  values: (number | null)[];
  /** A threshold: a dashed line, left out of the summary and the table. */
  threshold?: boolean;
}

interface Chart {
  id: string;
  title: string;
  unit: 'count' | 'ms' | 'percent';
  lines: Line[];
}

const hourLabel = (ms: number, window: Window) =>
  new Intl.DateTimeFormat('en-GB', window === '24h' ? { hour: '2-digit', minute: '2-digit' } : { weekday: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(ms);

const formatValue = (value: number | null, unit: Chart['unit']) =>
  value === null ? '—' : unit === 'percent' ? `${value.toFixed(1)}%` : unit === 'ms' ? `${Math.round(value)} ms` : String(value);

const sum = (values: (number | null)[]) => values.reduce<number>((a, b) => a + (b ?? 0), 0);
const percents = (rates: (number | null)[]) => rates.map((r) => (r === null ? null : r * 100));

function chartsOf(s: Series): Chart[] {
  const flat = (value: number) => s.hours.map(() => value * 100);
  return [
    {
      id: 'holds',
      title: 'Hold lifecycle',
      unit: 'count',
      lines: [
        { label: 'Created', values: s.holds.created },
        { label: 'Committed', values: s.holds.committed },
        { label: 'Released', values: s.holds.released },
        { label: 'Expired', values: s.holds.expired },
      ],
    },
    {
      id: 'checkouts',
      title: 'Checkout outcomes',
      unit: 'count',
      lines: [
        { label: 'Opened', values: s.checkouts.opened },
        { label: 'Completed', values: s.checkouts.completed },
        { label: 'Rejected', values: s.checkouts.rejected },
        { label: 'Failed', values: s.checkouts.failed },
        { label: 'Expired', values: s.checkouts.expired },
        { label: 'Superseded', values: s.checkouts.superseded },
      ],
    },
    {
      id: 'latency',
      title: 'Validation latency',
      unit: 'ms',
      lines: [
        { label: 'p50', values: s.validation.p50Ms },
        { label: 'p95', values: s.validation.p95Ms },
      ],
    },
    {
      id: 'hold-expiration',
      title: 'Hold expiration rate',
      unit: 'percent',
      lines: [
        { label: 'Expired of holds ended', values: percents(s.rates.holdExpiration) },
        { label: `Threshold ${s.thresholds.holdExpiration * 100}%`, values: flat(s.thresholds.holdExpiration), threshold: true },
      ],
    },
    {
      id: 'checkout-failure',
      title: 'Checkout failure rate',
      unit: 'percent',
      lines: [
        { label: 'Failed of opened and failed', values: percents(s.rates.checkoutFailure) },
        { label: `Threshold ${s.thresholds.checkoutFailure * 100}%`, values: flat(s.thresholds.checkoutFailure), threshold: true },
      ],
    },
  ];
}

/** One sentence with the window's figures: totals for counts, the highest hour for latency and rates. */
function summaryOf(chart: Chart, s: Series): string {
  const measured = chart.lines.filter((l) => !l.threshold);
  const window = WINDOW_NAMES[s.window];
  if (chart.unit === 'count') return `${window}: ${measured.map((l) => `${sum(l.values)} ${l.label.toLowerCase()}`).join(', ')}.`;
  const threshold = chart.lines.find((l) => l.threshold);
  const parts = measured.map((l) => {
    const values = l.values.filter((v): v is number => v !== null);
    if (values.length === 0) return `${l.label}: nothing measured`;
    return `${l.label}: highest hour ${formatValue(Math.max(...values), chart.unit)}, latest hour measured ${formatValue(values.at(-1)!, chart.unit)}`;
  });
  return `${window}: ${parts.join('; ')}${threshold ? `; threshold ${formatValue(threshold.values[0] ?? null, chart.unit)}` : ''}.`;
}

function hourTable(chart: Chart, s: Series): HTMLElement {
  const measured = chart.lines.filter((l) => !l.threshold);
  const active = s.hours.map((_, i) => i).filter((i) => measured.some((l) => (l.values[i] ?? 0) !== 0));
  if (active.length === 0) return h('p', { class: 'muted' }, 'No activity in this window.');
  const rows = active.reverse().map((i) =>
    h('tr', {}, h('td', {}, hourLabel(s.hours[i]!, s.window)), ...measured.map((l) => h('td', { class: 'num' }, formatValue(l.values[i] ?? null, chart.unit)))),
  );
  return table(`${chart.title} per hour`, ['Hour starting', ...measured.map((l) => [l.label, 'num'] as [string, 'num'])], rows);
}

function plot(chart: Chart, s: Series, width: number): HTMLElement {
  const target = h('div', { class: 'chart', 'aria-hidden': 'true' });
  const options: uPlot.Options = {
    width,
    height: 220,
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true },
      y: chart.unit === 'percent' ? { range: (_u, _min, max) => [0, Math.max(max, (chart.lines.find((l) => l.threshold)?.values[0] ?? 1) * 2)] } : { range: (_u, _min, max) => [0, Math.max(max, 1)] },
    },
    axes: [{}, { values: (_u, ticks) => ticks.map((t) => formatValue(t, chart.unit)), size: 60 }],
    series: [
      { label: 'Hour', value: (_u, v) => (v === null ? '—' : hourLabel(v * 1000, s.window)) },
      ...chart.lines.map((line, i) => ({
        label: line.label,
        stroke: COLOURS[i % COLOURS.length],
        width: line.threshold ? 1.5 : 2,
        dash: line.threshold ? [6, 4] : undefined,
        points: { show: !line.threshold && s.window === '24h' },
        value: (_u: uPlot, v: number | null) => formatValue(v, chart.unit),
      })),
    ],
  };
  new uPlot(options, [s.hours.map((ms) => ms / 1000), ...chart.lines.map((l) => l.values)] as uPlot.AlignedData, target);
  return target;
}

function windowLinks(current: Window): HTMLElement {
  return h(
    'nav',
    { 'aria-label': 'Time window', class: 'pager' },
    ...(Object.keys(WINDOW_NAMES) as Window[]).map((w) =>
      h('a', { href: w === '24h' ? '#/health' : `#/health?window=${w}`, 'aria-current': w === current ? 'page' : undefined }, WINDOW_NAMES[w]),
    ),
  );
}

export const healthView: View = {
  section: 'health',
  title: () => 'Health',
  async render(_params, query) {
    const window: Window = query.get('window') === '7d' ? '7d' : '24h';
    const series = await api.series(window);
    const main = $('[data-main]')!;
    const width = Math.max(260, Math.min(main.clientWidth - 40, 960));
    return h(
      'div',
      {},
      h('h1', { tabindex: -1 }, 'Health'),
      h('p', { class: 'muted' }, `${WINDOW_NAMES[window]} in hourly buckets (UTC hours, shown in your time zone). Alerts are checked every minute.`),
      windowLinks(window),
      ...chartsOf(series).map((chart) =>
        h(
          'section',
          { class: 'chart-card', 'aria-labelledby': `chart-${chart.id}`, 'data-chart': chart.id },
          h('h2', { id: `chart-${chart.id}` }, chart.title),
          h('p', { 'data-summary': chart.id }, summaryOf(chart, series)),
          plot(chart, series, width),
          h('details', {}, h('summary', {}, `${chart.title}: numbers per hour`), hourTable(chart, series)),
        ),
      ),
    );
  },
};
