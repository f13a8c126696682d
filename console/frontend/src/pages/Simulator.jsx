import { useState } from "preact/hooks";
import { consoleConfig, query } from "../api.js";
import { ErrorBox, usePolling } from "./common.jsx";

export function Simulator() {
  const [form, setForm] = useState({ ratePerSecond: "20", durationSeconds: "60", accounts: "10" });
  const [error, setError] = useState(null);
  const [answer, statusError, reload] = usePolling(() => query("/v1/simulator"), 1000);
  const status = answer && answer.state !== "IDLE" ? answer : null;
  const set = (field) => (e) => setForm({ ...form, [field]: e.currentTarget.value });
  const running = status && (status.state === "RUNNING" || status.state === "STARTING");
  async function start(event) {
    event.preventDefault();
    setError(null);
    try {
      await query("/v1/simulator", { method: "POST", body: {
        ratePerSecond: Number(form.ratePerSecond), durationSeconds: Number(form.durationSeconds),
        accounts: Number(form.accounts) } });
      reload();
    } catch (e) {
      setError(e);
    }
  }
  async function stop() {
    setError(null);
    try {
      await query("/v1/simulator", { method: "DELETE" });
      reload();
    } catch (e) {
      setError(e);
    }
  }
  return (
    <div data-testid="page-simulator">
      <h2>Traffic simulator</h2>
      <p class="hint">Posts realistic payments through the ingress with your key: transfers and merchant payments, with
        about one in five meant to fail (overdrafts, unknown accounts, wrong currencies, invalid amounts, retries with
        the same Idempotency-Key). At most 200 a second for at most 10 minutes, to a loopback ingress only.</p>
      {!consoleConfig().simulator && (
        <p class="error">The simulator is off on this processor: it needs console.ingressUrl on a loopback address.</p>
      )}
      <form class="inline" onSubmit={start}>
        <label>Requests per second
          <input type="number" min="1" max="200" value={form.ratePerSecond} onInput={set("ratePerSecond")}
            data-testid="sim-rate" />
        </label>
        <label>Seconds
          <input type="number" min="1" max="600" value={form.durationSeconds} onInput={set("durationSeconds")}
            data-testid="sim-duration" />
        </label>
        <label>Accounts
          <input type="number" min="4" max="100" value={form.accounts} onInput={set("accounts")}
            data-testid="sim-accounts" />
        </label>
        <button type="submit" disabled={running} data-testid="sim-start">Start</button>
        <button type="button" disabled={!running} onClick={stop} data-testid="sim-stop">Stop</button>
      </form>
      <ErrorBox error={error || statusError} />
      {status && (
        <section class="card" data-testid="sim-status">
          <div class="figures">
            <div><span class="label">Run</span><span class="figure">{status.runId}</span></div>
            <div><span class="label">State</span><span class="figure" data-testid="sim-state">{status.state}</span></div>
            <div><span class="label">Sent</span><span class="figure" data-testid="sim-sent">{status.sent}</span></div>
            <div><span class="label">Ends</span><span class="figure">
              {new Date(status.endsAt).toLocaleTimeString()}</span></div>
          </div>
          <h3>Answers from the ingress</h3>
          <p class="counts">{Object.entries(status.outcomes).map(([k, v]) => <span class="status">{k} {v}</span>)}</p>
          <h3>Scenarios</h3>
          <p class="counts">{Object.entries(status.scenarios).map(([k, v]) => <span class="status">{k} {v}</span>)}</p>
        </section>
      )}
    </div>
  );
}
