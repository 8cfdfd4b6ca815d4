/** A crossover point on a sweep chart: where the fastest contender changes, at `atFlops`. */
export interface CrossoverMark {
  readonly atFlops: number;
  readonly from: string;
  readonly to: string;
}

/** What {@link drawCrossoverLines} needs of a chart.js chart (its canvas context, plot area and x scale). */
export interface CrossoverChart {
  readonly ctx: CanvasRenderingContext2D;
  readonly chartArea: { readonly top: number; readonly bottom: number };
  readonly scales: { readonly [axis: string]: { getPixelForValue(value: number): number } | undefined };
}

/**
 * Draws a dashed vertical line at each crossover point, labelled "from → to":
 * the body of a chart.js `afterDatasetsDraw` hook, shared by the web page and
 * the HTML report (which embeds this function's source in its page script, so
 * it must reference nothing outside itself).
 */
export function drawCrossoverLines(chart: CrossoverChart, marks: readonly CrossoverMark[]): void {
  const { ctx, chartArea, scales } = chart;
  const xScale = scales.x;
  if (xScale === undefined) return;
  for (const mark of marks) {
    const x = xScale.getPixelForValue(mark.atFlops);
    ctx.save();
    ctx.strokeStyle = '#444';
    ctx.setLineDash([5, 4]);
    ctx.beginPath();
    ctx.moveTo(x, chartArea.top);
    ctx.lineTo(x, chartArea.bottom);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = '#222';
    ctx.font = '11px system-ui, sans-serif';
    ctx.translate(x + 3, chartArea.top + 4);
    ctx.rotate(Math.PI / 2);
    ctx.fillText(`${mark.from} → ${mark.to}`, 0, 0);
    ctx.restore();
  }
}
