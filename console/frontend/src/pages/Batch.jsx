import { useState } from "preact/hooks";
import { enc, query } from "../api.js";
import { ErrorBox, Status, useWatch } from "./common.jsx";

const PAGE = 50;

/**
 * One batch (GET /v1/payment-batches/{id}): its size, whether it is atomic, its status (and, for a rejected atomic
 * batch, the payment that failed), counts by status, and its payments a page at a time, each linked to its own page.
 * Watched until no payment of it is still PENDING or PROCESSING.
 */
export function BatchDetail({ batchId }) {
  const [offset, setOffset] = useState(0);
  const [batch, error] = useWatch(() => query(`/v1/payment-batches/${enc(batchId)}?offset=${offset}&limit=${PAGE}`),
    (value) => value.status === "PROCESSING", [batchId, offset]);
  return (
    <div data-testid="page-batch">
      <p><a href="#/payments">← Payments</a></p>
      <h2>Batch <code>{batchId}</code></h2>
      {!batch && !error && <p>Waiting for the processor…</p>}
      <ErrorBox error={error} />
      {batch && (
        <section class="card">
          <div class="figures">
            <div><span class="label">Status</span><span class="figure" data-testid="batch-status">
              <Status value={batch.status} /></span></div>
            <div><span class="label">Payments</span><span class="figure" data-testid="batch-size">{batch.size}</span></div>
            <div><span class="label">Mode</span><span class="figure" data-testid="batch-mode">
              {batch.atomic ? "atomic" : "independent"}</span></div>
          </div>
          {batch.failure && (
            <p class="error" data-testid="batch-failure">
              {batch.failure.index !== undefined ? `Payment ${batch.failure.index} failed: ` : ""}
              {batch.failure.reason}{batch.failure.detail ? ` · ${batch.failure.detail}` : ""}
            </p>
          )}
          <p data-testid="batch-counts">
            {Object.entries(batch.counts).map(([status, count]) => `${status} ${count}`).join(" · ")}
          </p>
          <table data-testid="batch-payments">
            <thead><tr><th>#</th><th>Payment</th><th>Status</th><th>Reason</th></tr></thead>
            <tbody>
              {batch.payments.map((p) => (
                <tr data-testid={`batch-row-${p.index}`}>
                  <td>{p.index}</td>
                  <td><a href={`#/payments/${enc(p.paymentId)}`}><code>{p.paymentId}</code></a></td>
                  <td><Status value={p.status} /></td>
                  <td>{p.reason || ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="pager">
            <button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
            <button disabled={batch.next === undefined} data-testid="batch-next"
              onClick={() => setOffset(batch.next)}>Next</button>
          </div>
        </section>
      )}
    </div>
  );
}
