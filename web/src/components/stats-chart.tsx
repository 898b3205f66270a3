import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { bytes, clock, percent } from '../format.js';
import type { LiveSeries } from '../store.js';

const HEIGHT = 150;

export interface ChartSpec {
  label: string;
  color: string;
  values: (series: LiveSeries) => (number | null)[];
  format: (value: number | null) => string;
  /** The y axis reaches at least this high, so that noise near zero does not look like a storm. */
  smallestTop: number;
  /** Said after the latest value, e.g. the memory limit. */
  detail?: (series: LiveSeries) => string;
}

export const CPU_CHART: ChartSpec = {
  label: 'CPU',
  color: '#2563eb',
  values: (series) => series.cpu,
  format: percent,
  smallestTop: 5,
};

export const MEMORY_CHART: ChartSpec = {
  label: 'memory',
  color: '#16a34a',
  values: (series) => series.memory,
  format: bytes,
  smallestTop: 1024 * 1024,
  detail: (series) => (series.memoryLimit ? ` of ${bytes(series.memoryLimit)}` : ''),
};

/**
 * A uPlot line chart of one figure of the selected container. uPlot draws on a canvas when its
 * data is set, so the chart is driven from the series directly, outside Preact's rendering: a
 * tick costs one setData, and nothing at all while the tab is hidden.
 */
export function StatsChart(props: { series: LiveSeries; spec: ChartSpec }) {
  const { series, spec } = props;
  const holder = useRef<HTMLDivElement>(null);
  const readout = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    const element = holder.current!;
    const plot = new uPlot(
      {
        width: Math.max(200, element.clientWidth),
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: true, drag: { x: false, y: false } },
        scales: {
          x: { time: true },
          // From zero, with room above the highest point, and never flatter than `smallestTop`.
          y: { range: (_u, _min, max) => [0, Math.max((max ?? 0) * 1.15, spec.smallestTop)] },
        },
        axes: [
          {
            stroke: '#6b7280',
            grid: { stroke: '#e5e7eb' },
            space: 80,
            values: (_u, ticks) => ticks.map(clock),
          },
          {
            stroke: '#6b7280',
            grid: { stroke: '#e5e7eb' },
            size: 70,
            values: (_u, ticks) => ticks.map((t) => spec.format(t)),
          },
        ],
        series: [
          {},
          { label: spec.label, stroke: spec.color, fill: `${spec.color}22`, width: 1.5, spanGaps: false },
        ],
      },
      [series.times, spec.values(series)],
      element,
    );

    const draw = () => {
      if (document.hidden) return;
      const values = spec.values(series);
      plot.setData([series.times, values]);
      const latest = values[values.length - 1] ?? null;
      // What the end-to-end test and the benchmark read: how many points, and the newest.
      element.dataset['points'] = String(series.length);
      element.dataset['latest'] = latest === null ? '' : String(latest);
      if (readout.current) readout.current.textContent = spec.format(latest) + (spec.detail?.(series) ?? '');
    };
    draw();
    const offSeries = series.onChange(draw);
    document.addEventListener('visibilitychange', draw);
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, element.clientWidth);
      if (width !== plot.width) plot.setSize({ width, height: HEIGHT });
    });
    resize.observe(element);
    return () => {
      offSeries();
      document.removeEventListener('visibilitychange', draw);
      resize.disconnect();
      plot.destroy();
    };
  }, [series, spec]);

  return (
    <figure class="chart">
      <figcaption>
        {spec.label} <span class="readout" ref={readout} />
      </figcaption>
      <div class="plot" ref={holder} data-chart={spec.label} />
    </figure>
  );
}
