import {
  CategoryScale,
  type ChartData,
  Chart as ChartJS,
  type ChartOptions,
  type Plugin,
  Tooltip,
} from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import { useMemo } from 'react';
import { Chart } from 'react-chartjs-2';
import { chartPalette, textOn, useIsDark } from './chart-theme.js';

// Only what a heatmap draws: the matrix type, category axes and the tooltip.
ChartJS.register(MatrixController, MatrixElement, CategoryScale, Tooltip);

export interface HeatmapCell {
  /** Index into xLabels / yLabels. */
  x: number;
  y: number;
  color: string;
  /** Text drawn inside the cell when it is large enough. */
  label?: string;
  /** Lines of the tooltip shown on hover. */
  tooltip: string[];
}

export interface HeatmapChartProps {
  xLabels: string[];
  yLabels: string[];
  cells: HeatmapCell[];
  /** The chart's accessible name (the numbers are in the table view). */
  ariaLabel: string;
  heightPx: number;
  xTitle?: string;
  yTitle?: string;
}

/** Writes each cell's label in its middle, in black or white for contrast with the cell colour. */
const cellLabels: Plugin<'matrix'> = {
  id: 'nexusCellLabels',
  afterDatasetsDraw(chart) {
    const meta = chart.getDatasetMeta(0);
    const cells = (chart.data.datasets[0] as unknown as { cells?: HeatmapCell[] } | undefined)?.cells;
    if (!cells) return;
    const { ctx } = chart;
    ctx.save();
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    meta.data.forEach((element, i) => {
      const cell = cells[i];
      const { x, y, width, height } = element.getProps(['x', 'y', 'width', 'height'], true) as {
        x: number;
        y: number;
        width: number;
        height: number;
      };
      if (!cell?.label || width < 30 || height < 14) return;
      const size = Math.min(12, Math.floor(height * 0.55));
      ctx.font = `${size}px ui-sans-serif, system-ui, sans-serif`;
      ctx.fillStyle = textOn(cell.color);
      ctx.fillText(cell.label, x + width / 2, y + height / 2, width - 4);
    });
    ctx.restore();
  },
};

/** A heatmap (chartjs-chart-matrix) of labelled cells; loaded lazily with the chart library. */
export default function HeatmapChart({
  xLabels,
  yLabels,
  cells,
  ariaLabel,
  heightPx,
  xTitle,
  yTitle,
}: HeatmapChartProps) {
  const dark = useIsDark();
  const palette = chartPalette(dark);

  const data = useMemo<ChartData<'matrix'>>(
    () => ({
      datasets: [
        {
          label: ariaLabel,
          data: cells.map((c) => ({ x: xLabels[c.x] ?? '', y: yLabels[c.y] ?? '' })),
          // Kept on the dataset so the label plugin and tooltip read the same cells.
          cells,
          backgroundColor: (ctx) => cells[ctx.dataIndex]?.color ?? 'transparent',
          borderColor: dark ? '#0f172a' : '#ffffff',
          borderWidth: 1,
          width: ({ chart }) => Math.max(1, (chart.chartArea?.width ?? 0) / Math.max(1, xLabels.length) - 1),
          height: ({ chart }) =>
            Math.max(1, (chart.chartArea?.height ?? 0) / Math.max(1, yLabels.length) - 1),
        } as ChartData<'matrix'>['datasets'][number],
      ],
    }),
    [cells, xLabels, yLabels, ariaLabel, dark],
  );

  const options = useMemo<ChartOptions<'matrix'>>(
    () => ({
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: false },
        tooltip: {
          displayColors: false,
          callbacks: {
            title: () => '',
            label: (ctx) => cells[ctx.dataIndex]?.tooltip ?? [],
          },
        },
      },
      scales: {
        x: {
          type: 'category',
          labels: xLabels,
          offset: true,
          position: 'top',
          grid: { display: false },
          ticks: { color: palette.text, autoSkip: true, maxRotation: 60 },
          title: { display: Boolean(xTitle), text: xTitle ?? '', color: palette.text },
        },
        y: {
          type: 'category',
          labels: yLabels,
          offset: true,
          reverse: false,
          grid: { display: false },
          ticks: { color: palette.text, autoSkip: true },
          title: { display: Boolean(yTitle), text: yTitle ?? '', color: palette.text },
        },
      },
    }),
    [cells, xLabels, yLabels, palette.text, xTitle, yTitle],
  );

  return (
    <div style={{ height: heightPx }} className="relative w-full">
      <Chart
        type="matrix"
        data={data}
        options={options}
        plugins={[cellLabels]}
        aria-label={ariaLabel}
        role="img"
      />
    </div>
  );
}
