import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  type ChartData,
  Chart as ChartJS,
  type ChartOptions,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PieController,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useMemo } from 'react';
import { Chart } from 'react-chartjs-2';
import { chartPalette, useIsDark } from '../../analytics/components/chart-theme.js';

// Only what an answer draws (bars, a line, a pie), so chart.js stays in this lazily loaded chunk.
ChartJS.register(
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PieController,
  PointElement,
  Tooltip,
);

/** Slice colours told apart in light and dark (Tailwind 500/400 shades), repeated past eight. */
const sliceColors = {
  light: ['#4f46e5', '#0d9488', '#d97706', '#e11d48', '#0284c7', '#65a30d', '#9333ea', '#ea580c'],
  dark: ['#818cf8', '#2dd4bf', '#fbbf24', '#fb7185', '#38bdf8', '#a3e635', '#c084fc', '#fb923c'],
};

export interface AnswerChartProps {
  type: 'bar' | 'line' | 'pie';
  labels: string[];
  values: number[];
  /** Name of the measure, for the tooltip. */
  seriesLabel: string;
  /** The chart's accessible name; the numbers are in the table beside it. */
  ariaLabel: string;
}

/** The answer as a bar, line or pie chart; loaded lazily with chart.js. */
export default function AnswerChart({ type, labels, values, seriesLabel, ariaLabel }: AnswerChartProps) {
  const dark = useIsDark();
  const palette = chartPalette(dark);
  const pie = type === 'pie';

  const data = useMemo<ChartData<'bar' | 'line' | 'pie'>>(() => {
    const slices = dark ? sliceColors.dark : sliceColors.light;
    return {
      labels,
      datasets: [
        {
          label: seriesLabel,
          data: values,
          backgroundColor: pie ? labels.map((_, i) => slices[i % slices.length]!) : palette.bar,
          hoverBackgroundColor: pie ? undefined : palette.barHover,
          borderColor: pie ? (dark ? '#0f172a' : '#ffffff') : palette.line,
          borderWidth: type === 'line' ? 2 : pie ? 1 : 0,
          pointRadius: type === 'line' && labels.length <= 40 ? 3 : 0,
          pointHitRadius: 8,
          tension: 0.2,
        },
      ],
    };
  }, [labels, values, seriesLabel, type, pie, dark, palette.bar, palette.barHover, palette.line]);

  const options = useMemo<ChartOptions<'bar' | 'line' | 'pie'>>(
    () => ({
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: pie, position: 'right', labels: { color: palette.text, boxWidth: 12 } },
        tooltip: { displayColors: pie },
      },
      scales: pie
        ? {}
        : {
            x: {
              grid: { display: false },
              ticks: {
                color: palette.text,
                maxRotation: 0,
                autoSkip: true,
                autoSkipPadding: 8,
                font: { size: 11 },
                // Long category values would squeeze the bars to nothing.
                callback: (_v: unknown, i: number) => {
                  const text = labels[i] ?? '';
                  return text.length > 16 ? `${text.slice(0, 15)}…` : text;
                },
              },
            },
            y: {
              grid: { color: palette.grid },
              ticks: { color: palette.text, maxTicksLimit: 6, font: { size: 11 } },
              beginAtZero: true,
            },
          },
    }),
    [pie, palette.text, palette.grid, labels],
  );

  return (
    <div className="relative h-64 w-full">
      <Chart type={type} data={data} options={options} aria-label={ariaLabel} role="img" />
    </div>
  );
}
