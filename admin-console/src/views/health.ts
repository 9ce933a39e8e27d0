// Health: the last 24 hours or 7 days in hourly buckets, drawn with uPlot (canvas; the CSP allows it, no inline
// style attribute or script is involved). Each chart has a heading, a one-line summary of the window's numbers and a
// table of every hour with activity, so a keyboard or screen-reader user gets the same figures as the picture.
import uPlot from 'uplot';
import { api, type Series } from '../api';
import { $, h, table } from '../dom';
import type { View } from '../view';

type Window = Series['window'];
const HOUR_MS = 3_600_000;
const WINDOW_NAMES: Record<Window, string> = { '24h': 'Last 24 hours', '7d': 'Last 7 days' };
/**
 * Okabe-Ito hues, darkened to at least 3:1 on white (the legend's .swatch.c<i> in styles.css repeats them). The
 * first line is a wide band and the others thin lines in another hue, so equal counts still show both; thresholds
 * are dashed.
 */
const COLOURS = ['#0072b2', '#c44e00', '#007a5a', '#aa3377', '#8a6100', '#3e4c59'];

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

const hourLabel = (ms: number) =>
  new Intl.DateTimeFormat('en-GB', { weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(ms);

const formatValue = (value: number | null, unit: Chart['unit']) =>
  value === null
    ? '—'
    : unit === 'percent'
      ? `${value.toFixed(1)}%`
      : unit === 'ms'
        ? `${value < 10 && !Number.isInteger(value) ? value.toFixed(1) : Math.round(value)} ms`
        : String(value);

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
    const highest = formatValue(Math.max(...values), chart.unit);
    return `${l.label}: highest hour ${highest}, latest hour measured ${formatValue(values.at(-1)!, chart.unit)}`;
  });
  return `${window}: ${parts.join('; ')}${threshold ? `; threshold ${formatValue(threshold.values[0] ?? null, chart.unit)}` : ''}.`;
}

function hourTable(chart: Chart, s: Series): HTMLElement {
  const measured = chart.lines.filter((l) => !l.threshold);
  // Counts: the hours with any; rates and latency: the hours where something was measured (0% included).
  const shown = (value: number | null | undefined) => (chart.unit === 'count' ? (value ?? 0) !== 0 : value !== null && value !== undefined);
  const active = s.hours.map((_, i) => i).filter((i) => measured.some((l) => shown(l.values[i])));
  if (active.length === 0) return h('p', { class: 'muted' }, 'No activity in this window.');
  const rows = active.reverse().map((i) =>
    h(
      'tr',
      {},
      h('td', {}, hourLabel(s.hours[i]!)),
      ...measured.map((l) => h('td', { class: 'num' }, formatValue(l.values[i] ?? null, chart.unit))),
    ),
  );
  return table(`${chart.title} per hour`, ['Hour starting', ...measured.map((l) => [l.label, 'num'] as [string, 'num'])], rows);
}

/** Tick steps a person reads easily: whole counts, round milliseconds and percentages. */
const INCREMENTS: Record<Chart['unit'], number[]> = {
  count: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000],
  ms: [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500],
  percent: [0.5, 1, 2, 5, 10, 20, 25, 50],
};

const tickLabel = (seconds: number) => {
  const at = new Date(seconds * 1000);
  return at.getHours() === 0 && at.getMinutes() === 0
    ? new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric' }).format(at)
    : new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' }).format(at);
};

function plot(chart: Chart, s: Series, width: number): HTMLElement {
  const target = h('div', { class: 'chart', 'aria-hidden': 'true' });
  const threshold = chart.lines.find((l) => l.threshold)?.values[0] ?? 0;
  const options: uPlot.Options = {
    width,
    height: 200,
    // The summary and the table carry the numbers; the legend below names the lines.
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true },
      y: { range: (_u, _min, max) => [0, Math.max(max ?? 0, threshold * 2, chart.unit === 'percent' ? 1 : 2)] },
    },
    axes: [
      { values: (_u, ticks) => ticks.map(tickLabel), size: 36 },
      { values: (_u, ticks) => ticks.map((t) => formatValue(t, chart.unit)), incrs: INCREMENTS[chart.unit], size: 56 },
    ],
    series: [
      {},
      ...chart.lines.map((line, i) => ({
        label: line.label,
        stroke: COLOURS[i % COLOURS.length],
        width: line.threshold ? 1.5 : (i === 0 ? 6 : i === 1 ? 2.5 : 1.5) * (s.window === '7d' ? 0.6 : 1),
        dash: line.threshold ? [6, 4] : undefined,
        // A bucket is an hour: flat across it, not a slope to the next.
        paths: uPlot.paths.stepped!({ align: 1 }),
        // Counts are a line through every hour; a rate or latency exists only in some hours: dots show them.
        points: { show: chart.unit !== 'count' && !line.threshold, size: 6 },
      })),
    ],
  };
  // One more x at the end of the current hour, so its bucket is drawn across it as the others are.
  const xs = [...s.hours, s.hours.at(-1)! + HOUR_MS].map((ms) => ms / 1000);
  new uPlot(options, [xs, ...chart.lines.map((l) => [...l.values, l.values.at(-1) ?? null])] as uPlot.AlignedData, target);
  return target;
}

/** The lines' names with their colour (and dash, for a threshold): the chart's key. */
function legend(chart: Chart): HTMLElement {
  return h(
    'ul',
    { class: 'legend', 'aria-hidden': 'true' },
    ...chart.lines.map((line, i) =>
      h('li', {}, h('span', { class: `swatch c${i % COLOURS.length}${line.threshold ? ' dashed' : ''}` }), line.label),
    ),
  );
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
    // The width inside <main> and a chart card (padding and border, see styles.css).
    const main = $('[data-main]')!;
    const style = getComputedStyle(main);
    const inner = main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 2 * 13;
    const width = Math.max(240, Math.min(inner, 960));
    return h(
      'div',
      {},
      h('h1', { tabindex: -1 }, 'Health'),
      h(
        'p',
        { class: 'muted' },
        `${WINDOW_NAMES[window]} in hourly buckets (UTC hours, shown in your time zone). Alerts are checked every minute.`,
      ),
      windowLinks(window),
      ...chartsOf(series).map((chart) =>
        h(
          'section',
          { class: 'chart-card', 'aria-labelledby': `chart-${chart.id}`, 'data-chart': chart.id },
          h('h2', { id: `chart-${chart.id}` }, chart.title),
          h('p', { 'data-summary': chart.id }, summaryOf(chart, series)),
          plot(chart, series, width),
          legend(chart),
          h('details', {}, h('summary', {}, `${chart.title}: numbers per hour`), hourTable(chart, series)),
        ),
      ),
    );
  },
};
