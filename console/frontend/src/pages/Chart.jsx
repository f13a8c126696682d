import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

/**
 * A uPlot time-series chart. data: [timestamps in seconds, ...series values]; series: [{label, stroke}].
 */
const COMPACT = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

export function Chart({ title, data, series, testid, bars = false }) {
  const box = useRef(null);
  const plot = useRef(null);
  useEffect(() => {
    const width = Math.max(320, box.current.clientWidth || 600);
    const options = {
      title,
      width,
      height: 220,
      scales: { x: { time: true } },
      // Large volumes are shown compactly (1.2M, 35K) in a gutter wide enough for them, never cut off.
      axes: [{}, { size: 70, values: (u, splits) => splits.map((v) => COMPACT.format(v)) }],
      series: [{}, ...series.map((s) => ({
        label: s.label,
        stroke: s.stroke,
        fill: bars ? s.stroke + "55" : undefined,
        width: 2,
        paths: bars ? uPlot.paths.bars({ size: [0.8, 40] }) : undefined,
      }))],
    };
    plot.current = new uPlot(options, data, box.current);
    return () => plot.current.destroy();
  }, [title, series.length]);
  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);
  return <div class="chart" ref={box} data-testid={testid} />;
}
