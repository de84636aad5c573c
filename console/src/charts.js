// Charts drawn with uPlot (a small canvas charting library): lines over time, and bars by version.
// Each chart is a <figure> with a caption and a sentence saying what it shows, for screen readers.
import uPlot from 'uplot';
import { esc } from './core.js';

export const COLOURS = ['#0b57d0', '#b3261e', '#137333', '#8a5a00', '#6a1b9a'];

const charts = new Set();
const resizer = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const chart = entry.target.chart;
    const width = Math.floor(entry.contentRect.width);
    if (chart && width > 0 && width !== chart.width) chart.setSize({ width, height: chart.height });
  }
});

/** Forgets the charts of the page being left. */
export function disposeCharts() {
  for (const chart of charts) {
    resizer.unobserve(chart.root.parentElement);
    chart.destroy();
  }
  charts.clear();
}

/** The markup a chart is drawn into by `drawChart`: a figure with its caption and its summary. */
export function chartFigure(id, caption, summary) {
  return `<figure class="chart" aria-labelledby="${id}-caption">
    <figcaption id="${id}-caption">${esc(caption)}</figcaption>
    <div class="plot" id="${id}" aria-hidden="true"></div>
    <p class="sr-only">${esc(summary)}</p></figure>`;
}

function mount(id, options, data) {
  const target = document.getElementById(id);
  if (!target) return null;
  const chart = new uPlot({ width: Math.max(target.clientWidth, 280), height: 200, ...options }, data, target);
  target.chart = chart;
  charts.add(chart);
  resizer.observe(target);
  return chart;
}

const axis = (label, values) => ({
  stroke: '#333',
  grid: { stroke: '#e4e4e4', width: 1 },
  ticks: { stroke: '#c4c4c4', width: 1 },
  ...(label ? { label, labelSize: 20 } : {}),
  ...(values ? { values } : {}),
});

/**
 * Lines over time: `times` in seconds since the epoch, each series `{ label, values }` (null where
 * there is no value: a gap); `stepped` holds each value until the next (weights, say).
 */
export function drawTimeChart(id, times, series, { yLabel, unit = '', stepped = false } = {}) {
  return mount(
    id,
    {
      scales: { x: { time: true } },
      legend: { live: false },
      series: [
        { label: 'Time' },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          spanGaps: false,
          ...(stepped ? { paths: uPlot.paths.stepped({ align: 1 }) } : {}),
          points: { show: times.length <= 60, size: 5 },
          value: (_, v) => (v === null || v === undefined ? '—' : `${Number(v).toLocaleString('en-GB', { maximumFractionDigits: 2 })}${unit}`),
        })),
      ],
      axes: [axis(), axis(yLabel)],
    },
    [times, ...series.map((s) => s.values)],
  );
}

/** Bars by category (one bar per version): `values` in the order of `labels`. */
export function drawBarChart(id, labels, { label, values, unit = '', colour = COLOURS[0] }, { yLabel } = {}) {
  const xs = labels.map((_, i) => i);
  return mount(
    id,
    {
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: (_, __, max) => [0, max > 0 ? max * 1.15 : 1] } },
      cursor: { drag: { x: false, y: false } },
      legend: { show: false },
      series: [
        { label: 'Version', value: (_, i) => labels[i] ?? '—' },
        {
          label,
          stroke: colour,
          fill: `${colour}cc`,
          width: 1,
          points: { show: false },
          paths: uPlot.paths.bars({ size: [0.6, 90] }),
          value: (_, v) => (v === null || v === undefined ? '—' : `${Number(v).toLocaleString('en-GB', { maximumFractionDigits: 3 })}${unit}`),
        },
      ],
      axes: [{ ...axis(undefined, (_, splits) => splits.map((x) => labels[x] ?? '')), splits: () => xs, grid: { show: false } }, axis(yLabel)],
    },
    [xs, values],
  );
}
