import {
  type ChartData,
  Chart as ChartJS,
  type ChartOptions,
  LinearScale,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';
import { useMemo } from 'react';
import { Chart } from 'react-chartjs-2';
import { chartPalette, useIsDark } from '../../analytics/components/chart-theme.js';
import AnswerChart from './answer-chart.js';
import type { InsightChartPlan } from './insight-format.js';

// The scatter of a correlation; bars, lines and pies are the answer chart's (registered there).
ChartJS.register(LinearScale, PointElement, ScatterController, Tooltip);

type ScatterPlan = Extract<InsightChartPlan, { type: 'scatter' }>;

function ScatterChart({ plan, ariaLabel }: { plan: ScatterPlan; ariaLabel: string }) {
  const dark = useIsDark();
  const palette = chartPalette(dark);

  const data = useMemo<ChartData<'scatter'>>(
    () => ({
      datasets: [
        {
          label: `${plan.y} against ${plan.x}`,
          data: plan.points,
          backgroundColor: palette.bar,
          borderColor: palette.bar,
          pointRadius: 3,
          pointHoverRadius: 5,
        },
      ],
    }),
    [plan, palette.bar],
  );

  const options = useMemo<ChartOptions<'scatter'>>(() => {
    const axis = (title: string) => ({
      grid: { color: palette.grid },
      ticks: { color: palette.text, maxTicksLimit: 6, font: { size: 11 } },
      title: { display: true, text: title, color: palette.text, font: { size: 12 } },
    });
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: { x: axis(plan.x), y: axis(plan.y) },
    };
  }, [plan.x, plan.y, palette.grid, palette.text]);

  return (
    <div className="relative h-64 w-full">
      <Chart type="scatter" data={data} options={options} aria-label={ariaLabel} role="img" />
    </div>
  );
}

/** An insight's chart with chart.js, in light or dark; loaded lazily with chart.js. */
export default function InsightChart({ plan, ariaLabel }: { plan: InsightChartPlan; ariaLabel: string }) {
  if (plan.type === 'scatter') return <ScatterChart plan={plan} ariaLabel={ariaLabel} />;
  return (
    <AnswerChart
      type={plan.type}
      labels={plan.labels}
      values={plan.values}
      seriesLabel={plan.y}
      ariaLabel={ariaLabel}
    />
  );
}
