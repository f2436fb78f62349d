import {
  BarController,
  BarElement,
  CategoryScale,
  type ChartData,
  Chart as ChartJS,
  type ChartOptions,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useMemo } from 'react';
import { Chart } from 'react-chartjs-2';
import { chartPalette, useIsDark } from '../../analytics/components/chart-theme.js';

// Only the pieces the column charts draw (bars and a line), so the chunk stays small.
ChartJS.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Tooltip,
);

export interface ColumnChartProps {
  /** histogram: vertical bars; top: horizontal bars; timeline: a line (bars when few points). */
  variant: 'histogram' | 'top' | 'timeline';
  labels: string[];
  values: number[];
  /** The chart's accessible name; the numbers themselves are in the card as text. */
  ariaLabel: string;
}

/** One small chart of a column card; the module is loaded lazily so the page shell comes first. */
export default function ColumnChart({ variant, labels, values, ariaLabel }: ColumnChartProps) {
  const dark = useIsDark();
  const palette = chartPalette(dark);
  const asLine = variant === 'timeline' && labels.length > 24;
  const horizontal = variant === 'top';

  const data = useMemo<ChartData<'bar' | 'line'>>(
    () => ({
      labels,
      datasets: [
        {
          label: 'Count',
          data: values,
          backgroundColor: palette.bar,
          hoverBackgroundColor: palette.barHover,
          borderColor: palette.line,
          borderWidth: asLine ? 2 : 0,
          pointRadius: 0,
          pointHitRadius: 6,
          tension: 0.2,
          // Histogram bins touch, as a histogram's should.
          ...(variant === 'histogram' ? { barPercentage: 1, categoryPercentage: 1 } : {}),
        },
      ],
    }),
    [labels, values, palette.bar, palette.barHover, palette.line, asLine, variant],
  );

  const options = useMemo<ChartOptions<'bar' | 'line'>>(
    () => ({
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      indexAxis: horizontal ? 'y' : 'x',
      plugins: { legend: { display: false }, tooltip: { displayColors: false } },
      scales: {
        x: {
          grid: { display: horizontal, color: palette.grid },
          ticks: {
            color: palette.text,
            maxRotation: 0,
            autoSkip: true,
            autoSkipPadding: 8,
            maxTicksLimit: horizontal || variant === 'timeline' ? 4 : 6,
            font: { size: 10 },
            // A bin's lower bound is enough on the axis; the tooltip names the whole range.
            ...(variant === 'histogram'
              ? { callback: (_v: unknown, i: number) => (labels[i] ?? '').split('–')[0] ?? '' }
              : {}),
          },
          beginAtZero: horizontal,
        },
        y: {
          grid: { display: !horizontal, color: palette.grid },
          ticks: {
            color: palette.text,
            autoSkip: !horizontal,
            maxTicksLimit: horizontal ? 10 : 4,
            font: { size: 10 },
            // Long category values would squeeze the bars to nothing.
            ...(horizontal
              ? {
                  callback: (_v: unknown, i: number) => {
                    const text = labels[i] ?? '';
                    return text.length > 14 ? `${text.slice(0, 13)}…` : text;
                  },
                }
              : {}),
          },
          beginAtZero: !horizontal,
        },
      },
    }),
    [horizontal, palette.grid, palette.text, labels, variant],
  );

  return (
    <div className="relative h-36 w-full">
      <Chart type={asLine ? 'line' : 'bar'} data={data} options={options} aria-label={ariaLabel} role="img" />
    </div>
  );
}
