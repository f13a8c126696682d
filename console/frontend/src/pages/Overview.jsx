import { useState } from "preact/hooks";
import { minorUnits, money, query } from "../api.js";
import { Chart } from "./Chart.jsx";
import { ErrorBox, usePolling } from "./common.jsx";

const WINDOWS = ["1m", "1h", "24h"];
const STATUS_SERIES = [
  { key: "COMPLETED", label: "completed", stroke: "#2e7d32" },
  { key: "REJECTED", label: "rejected", stroke: "#c62828" },
  { key: "REVERSED", label: "reversed", stroke: "#ef6c00" },
];

function percent(rate) {
  return rate === null || rate === undefined ? "–" : `${(rate * 100).toFixed(1)}%`;
}

function ms(value) {
  return value === null || value === undefined ? "–" : `≤ ${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

function CurrencyStats({ stats }) {
  const times = stats.series.map((p) => Date.parse(p.start) / 1000);
  const volume = [times, stats.series.map((p) => p.volume / 10 ** minorUnits(stats.currency))];
  const statuses = [times, ...STATUS_SERIES.map((s) => stats.series.map((p) => p.counts[s.key] || 0))];
  return (
    <section class="card" data-testid={`stats-${stats.currency}`}>
      <h3>{stats.currency}</h3>
      <div class="figures">
        <div><span class="label">Volume</span><span class="figure" data-testid={`volume-${stats.currency}`}>
          {money(stats.volume, stats.currency)}</span></div>
        <div><span class="label">Success rate</span><span class="figure" data-testid={`success-${stats.currency}`}>
          {percent(stats.successRate)}</span></div>
        <div><span class="label">In flight</span><span class="figure" data-testid={`inflight-${stats.currency}`}>
          {stats.inFlight}</span></div>
        <div><span class="label">Reversals</span><span class="figure">{stats.reversals}</span></div>
        <div><span class="label">Latency p50</span><span class="figure">{ms(stats.latencyMs.p50)}</span></div>
        <div><span class="label">Latency p99</span><span class="figure">{ms(stats.latencyMs.p99)}</span></div>
      </div>
      <p class="counts">
        {Object.entries(stats.counts).map(([status, count]) => (
          <span class={`status status-${status.toLowerCase()}`}>{status} {count}</span>
        ))}
      </p>
      <div class="charts">
        <Chart title={`Completed volume (${stats.currency})`} data={volume} bars
          series={[{ label: "volume", stroke: "#1565c0" }]} testid={`chart-volume-${stats.currency}`} />
        <Chart title="Payments by outcome" data={statuses} series={STATUS_SERIES}
          testid={`chart-status-${stats.currency}`} />
      </div>
    </section>
  );
}

function Pipeline() {
  const [pipeline, error] = usePolling(() => query("/v1/pipeline"), 5000);
  return (
    <section class="card" data-testid="pipeline">
      <h3>Pipeline</h3>
      <ErrorBox error={error} />
      {pipeline && (
        <div class="figures">
          <div><span class="label">This instance</span><span class="figure">{pipeline.state}</span></div>
          <div><span class="label">Instances</span><span class="figure" data-testid="instances">
            {pipeline.instances.length}</span></div>
          <div><span class="label">Lag (records)</span><span class="figure" data-testid="lag">
            {pipeline.lag ? Object.values(pipeline.lag).reduce((a, b) => a + b, 0) : "unknown"}</span></div>
          <div><span class="label">Dead letters</span><span class="figure" data-testid="dead-letters">
            {pipeline.deadLetters ? <a href="#/dead-letters">
              {Object.values(pipeline.deadLetters).reduce((a, b) => a + b, 0)}</a> : "unknown"}</span></div>
          <div><span class="label">Stall</span><span class="figure">
            {pipeline.stall.stalled ? `stalled ${Math.round(pipeline.stall.stalledSeconds)} s` : "none"}</span></div>
        </div>
      )}
      {pipeline && (
        <table>
          <thead><tr><th>Instance</th><th>Active partitions</th><th>Standby partitions</th></tr></thead>
          <tbody>
            {pipeline.instances.map((i) => (
              <tr><td>{i.address}</td><td>{i.activePartitions}</td><td>{i.standbyPartitions}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Overview({ me }) {
  const [span, setSpan] = useState("1h");
  const [stats, error] = usePolling(() => query(`/v1/stats?window=${span}`), 5000, [span]);
  return (
    <div data-testid="page-overview">
      <div class="toolbar">
        <h2>Overview</h2>
        <div class="tabs" role="tablist">
          {WINDOWS.map((w) => (
            <button role="tab" aria-selected={w === span} class={w === span ? "active" : ""}
              data-testid={`window-${w}`} onClick={() => setSpan(w)}>{w}</button>
          ))}
        </div>
      </div>
      <p class="hint">{me.admin ? "Every payment." : `Payments that touch ${me.clientId}'s accounts.`} Refreshed every
        5 s{stats ? `, from ${new Date(stats.from).toLocaleTimeString()} in ${stats.bucketSeconds} s buckets` : ""}.</p>
      <ErrorBox error={error} />
      {stats && stats.currencies.length === 0 && <p data-testid="no-stats">No payments in this window yet.</p>}
      {stats && stats.currencies.map((c) => <CurrencyStats stats={c} />)}
      {me.admin && <Pipeline />}
    </div>
  );
}
