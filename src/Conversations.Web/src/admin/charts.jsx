// Charts drawn with Chart.js (bundled, registered piece by piece so only what is used is shipped). Colours come from
// the theme, so a chart follows light and dark. Each chart also writes its series into data attributes and a table
// for screen readers: what is drawn can be read and checked without reading pixels.
import { useEffect, useRef } from 'preact/hooks';
import {
  ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Filler, Legend, LinearScale,
  LineController, LineElement, PointElement, Tooltip,
} from 'chart.js';

Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Filler, Legend, LinearScale,
  LineController, LineElement, PointElement, Tooltip);

/** The series palette: distinct in light and dark. */
export const palette = ['#6366f1', '#10b981', '#f59e0b', '#ef4444', '#06b6d4', '#a855f7', '#84cc16', '#ec4899', '#64748b'];

// A day (2026-11-09) on an axis is its month and day (11-09); any other label is kept, cut at 16 characters.
function shortLabel(label) {
  const text = String(label ?? '');
  const day = text.match(/^\d{4}-(\d{2}-\d{2})$/);
  if (day) return day[1];
  return text.length > 16 ? text.slice(0, 15) + '…' : text;
}

function themeColors() {
  const css = getComputedStyle(document.documentElement);
  return { text: css.getPropertyValue('--muted').trim() || '#666', grid: css.getPropertyValue('--border').trim() || '#ddd' };
}

/**
 * A chart of `type` ('line', 'bar', 'doughnut') over `labels` and `datasets` [{ label, data, color? }]. `format` turns
 * a value into text for ticks and tooltips; `stacked` stacks bars.
 */
export function ChartView({ type, labels, datasets, format = v => v, stacked = false, label, height = 260, testId }) {
  const canvas = useRef(null);
  const figure = useRef(null);
  const chart = useRef(null);

  useEffect(() => {
    const { text, grid } = themeColors();
    const doughnut = type === 'doughnut';
    const config = {
      type,
      data: {
        labels,
        datasets: datasets.map((d, i) => {
          const color = d.color ?? palette[i % palette.length];
          return {
            label: d.label,
            data: d.data,
            borderColor: doughnut ? 'transparent' : color,
            backgroundColor: doughnut ? d.data.map((_, j) => palette[j % palette.length]) : type === 'line' ? color + '22' : color,
            fill: type === 'line' && datasets.length === 1,
            tension: 0.3,
            pointRadius: labels.length > 40 ? 0 : 3,
            borderWidth: type === 'line' ? 2 : 0,
            borderRadius: type === 'bar' ? 4 : 0,
            maxBarThickness: 36,
          };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        // The figure says when the drawing has settled, so a screenshot or a reader of its pixels waits for that.
        animation: { duration: 250, onComplete: () => { if (figure.current) figure.current.dataset.drawn = 'true'; } },
        interaction: { mode: doughnut ? 'nearest' : 'index', intersect: false },
        plugins: {
          legend: { display: doughnut || datasets.length > 1, position: doughnut ? 'right' : 'bottom', labels: { color: text, boxWidth: 12 } },
          tooltip: { callbacks: { label: c => `${c.dataset.label ?? c.label}: ${format(c.parsed?.y ?? c.parsed)}` } },
        },
        scales: doughnut ? {} : {
          // Dates are shown as month-day, and no more ticks than fit: a phone-wide chart keeps its labels apart.
          x: {
            stacked, grid: { display: false },
            ticks: {
              color: text, maxRotation: 0, autoSkip: true, autoSkipPadding: 12, maxTicksLimit: 10,
              callback(value) { return shortLabel(this.getLabelForValue(value)); },
            },
          },
          y: { stacked, beginAtZero: true, ticks: { color: text, callback: v => format(v) }, grid: { color: grid } },
        },
      },
    };
    if (chart.current) chart.current.destroy();
    figure.current.dataset.drawn = 'false';
    chart.current = new Chart(canvas.current, config);
    const dark = matchMedia('(prefers-color-scheme: dark)');
    const repaint = () => {
      const c = themeColors();
      const o = chart.current.options;
      if (o.plugins.legend.labels) o.plugins.legend.labels.color = c.text;
      if (o.scales.x) { o.scales.x.ticks.color = c.text; o.scales.y.ticks.color = c.text; o.scales.y.grid.color = c.grid; }
      chart.current.update();
    };
    dark.addEventListener('change', repaint);
    return () => { dark.removeEventListener('change', repaint); chart.current?.destroy(); chart.current = null; };
  }, [type, JSON.stringify(labels), JSON.stringify(datasets)]);

  const points = datasets.reduce((n, d) => n + d.data.filter(v => v).length, 0);
  return (
    <figure ref={figure} class="chart" style={{ height: `${height}px` }} data-testid={testId} data-points={points}
      data-labels={JSON.stringify(labels)} data-series={JSON.stringify(datasets.map(d => ({ label: d.label, data: d.data })))}>
      <canvas ref={canvas} role="img" aria-label={label} />
      <table class="visually-hidden">
        <caption>{label}</caption>
        <thead><tr><th scope="col">—</th>{datasets.map(d => <th scope="col" key={d.label}>{d.label}</th>)}</tr></thead>
        <tbody>{labels.map((l, i) => <tr key={l}><th scope="row">{l}</th>{datasets.map(d => <td key={d.label}>{format(d.data[i])}</td>)}</tr>)}</tbody>
      </table>
    </figure>
  );
}
