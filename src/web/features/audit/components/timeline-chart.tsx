import {
  BarController,
  BarElement,
  CategoryScale,
  type ChartData,
  Chart as ChartJS,
  type ChartOptions,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { useMemo } from 'react';
import { Bar } from 'react-chartjs-2';
import { chartPalette, useIsDark } from '../../analytics/components/chart-theme.js';

// Only what the timeline draws, so chart.js stays small and in this page's chunk.
ChartJS.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export interface TimelineChartProps {
  labels: string[];
  counts: number[];
  /** The chart's accessible name; the numbers are in the summary and table beside it. */
  ariaLabel: string;
}

/** Events per bucket as bars; loaded lazily with chart.js. */
export default function TimelineChart({ labels, counts, ariaLabel }: TimelineChartProps) {
  const dark = useIsDark();
  const palette = chartPalette(dark);

  const data = useMemo<ChartData<'bar'>>(
    () => ({
      labels,
      datasets: [
        {
          label: 'Events',
          data: counts,
          backgroundColor: palette.bar,
          hoverBackgroundColor: palette.barHover,
          borderWidth: 0,
          // Buckets are contiguous time: bars touch, with a hairline between them.
          barPercentage: 1,
          categoryPercentage: 0.92,
          minBarLength: 0,
        },
      ],
    }),
    [labels, counts, palette.bar, palette.barHover],
  );

  const options = useMemo<ChartOptions<'bar'>>(
    () => ({
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false }, tooltip: { displayColors: false } },
      scales: {
        x: {
          grid: { display: false },
          ticks: {
            color: palette.text,
            maxRotation: 0,
            autoSkip: true,
            autoSkipPadding: 12,
            font: { size: 11 },
          },
        },
        y: {
          beginAtZero: true,
          grid: { color: palette.grid },
          ticks: { color: palette.text, precision: 0, maxTicksLimit: 5, font: { size: 11 } },
        },
      },
    }),
    [palette.grid, palette.text],
  );

  return (
    <div className="relative h-56 w-full sm:h-64">
      <Bar data={data} options={options} aria-label={ariaLabel} role="img" />
    </div>
  );
}
