import { useRef, useState } from "preact/hooks";
import { decimalsHint, enc, ingress, money, query, toMinor, when } from "../api.js";
import { ErrorBox, Status, useWatch } from "./common.jsx";

const TYPES = ["TRANSFER", "PAYMENT", "TOPUP", "WITHDRAWAL"];
const FINAL = ["COMPLETED", "REJECTED", "REVERSED", "VOIDED", "EXPIRED"];

function newKey() {
  return crypto.randomUUID();
}

/** A form that sends one request with an Idempotency-Key; a retry after a failure reuses the key. */
function useIdempotentSubmit(send) {
  const [key, setKey] = useState(newKey);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function submit(...args) {
    setBusy(true);
    setError(null);
    try {
      const result = await send(key, ...args);
      setKey(newKey());
      return result;
    } catch (e) {
      setError(e);
      return null;
    } finally {
      setBusy(false);
    }
  }
  return { key, error, busy, submit };
}

function CreatePayment() {
  const [form, setForm] = useState({ type: "TRANSFER", from: "", to: "", amount: "", currency: "USD",
    reference: "", capture: "AUTOMATIC" });
  const [invalid, setInvalid] = useState(null);
  const request = useIdempotentSubmit((key, body) => ingress("/v1/payments", {
    method: "POST", body, headers: { "Idempotency-Key": key } }));
  const set = (field) => (e) => setForm({ ...form, [field]: e.currentTarget.value });
  async function submit(event) {
    event.preventDefault();
    const currency = form.currency.trim().toUpperCase();
    const amount = toMinor(form.amount, currency);
    if (Number.isNaN(amount) || amount <= 0) {
      setInvalid(`The amount in ${currency} is ${decimalsHint(currency)}.`);
      return;
    }
    setInvalid(null);
    const body = { type: form.type, amount, currency };
    if (form.type !== "TOPUP") {
      body.from = form.from.trim();
    }
    if (form.type !== "WITHDRAWAL") {
      body.to = form.to.trim();
    }
    if (form.reference.trim()) {
      body.reference = form.reference.trim();
    }
    if (form.capture === "MANUAL") {
      body.capture = "MANUAL";
    }
    const created = await request.submit(body);
    if (created) {
      location.hash = `#/payments/${enc(created.paymentId)}`;
    }
  }
  return (
    <section class="card">
      <h3>New payment</h3>
      <form class="grid" onSubmit={submit} data-testid="payment-form">
        <label>Type
          <select value={form.type} onChange={set("type")} data-testid="payment-type">
            {TYPES.map((t) => <option value={t}>{t}</option>)}
          </select>
        </label>
        <label>From
          <input value={form.from} onInput={set("from")} disabled={form.type === "TOPUP"}
            data-testid="payment-from" />
        </label>
        <label>To
          <input value={form.to} onInput={set("to")} disabled={form.type === "WITHDRAWAL"}
            data-testid="payment-to" />
        </label>
        <label>Amount
          <input value={form.amount} onInput={set("amount")} inputmode="decimal" placeholder="12.50"
            data-testid="payment-amount" />
        </label>
        <label>Currency
          <input value={form.currency} onInput={set("currency")} maxlength="3" data-testid="payment-currency" />
        </label>
        <label>Reference
          <input value={form.reference} onInput={set("reference")} maxlength="140" />
        </label>
        <label>Capture
          <select value={form.capture} onChange={set("capture")} data-testid="payment-capture">
            <option value="AUTOMATIC">automatic</option>
            <option value="MANUAL">manual (a hold)</option>
          </select>
        </label>
        <div class="submit">
          <button type="submit" disabled={request.busy} data-testid="payment-submit">Send payment</button>
          <span class="hint">Idempotency-Key <code data-testid="idempotency-key">{request.key}</code></span>
        </div>
      </form>
      {invalid && <p class="error" role="alert" data-testid="payment-invalid">{invalid}</p>}
      <ErrorBox error={request.error} />
    </section>
  );
}

export function Payments() {
  const [id, setId] = useState("");
  const [batchId, setBatchId] = useState("");
  return (
    <div data-testid="page-payments">
      <h2>Payments</h2>
      <section class="card">
        <h3>Look up a payment</h3>
        <form class="inline" onSubmit={(e) => { e.preventDefault(); location.hash = `#/payments/${enc(id.trim())}`; }}>
          <label>Payment id
            <input value={id} onInput={(e) => setId(e.currentTarget.value)} size="40" data-testid="payment-id" />
          </label>
          <button type="submit" data-testid="payment-lookup">Look up</button>
        </form>
        <form class="inline" onSubmit={(e) => { e.preventDefault(); location.hash = `#/batches/${enc(batchId.trim())}`; }}>
          <label>Batch id
            <input value={batchId} onInput={(e) => setBatchId(e.currentTarget.value)} size="40"
              data-testid="batch-id" />
          </label>
          <button type="submit" data-testid="batch-lookup">Look up</button>
        </form>
      </section>
      <CreatePayment />
    </div>
  );
}

/** What an action changes: the status, the actions and the refunds recorded. */
function fingerprint(p) {
  return `${p.status}|${(p.actions || []).length}|${(p.refunds || []).length}`;
}

function timeline(p) {
  const events = [{ at: p.createdAt, what: "Requested", detail: `${p.type} of ${money(p.amount, p.currency)}` }];
  if (p.authorizedAmount !== undefined) {
    events.push({ at: p.createdAt, what: "AUTHORIZED",
      detail: p.batchAtomic ? `hold of ${money(p.authorizedAmount, p.currency)} until its atomic batch is decided`
        : `hold of ${money(p.authorizedAmount, p.currency)} until ${when(p.holdExpiresAt)}` });
  }
  for (const action of p.actions || []) {
    events.push({ at: action.at, what: `${action.type} ${action.status}`,
      detail: [action.amount !== undefined ? money(action.amount, p.currency) : null, action.reason, action.detail]
        .filter(Boolean).join(" · ") });
  }
  if (FINAL.includes(p.status)) {
    events.push({ at: p.updatedAt, what: p.status,
      detail: [p.capturedAmount !== undefined ? `captured ${money(p.capturedAmount, p.currency)}` : null,
        p.reason, p.detail].filter(Boolean).join(" · ") });
  }
  for (const refund of p.refunds || []) {
    events.push({ at: refund.createdAt, what: "REFUND requested", detail: money(refund.amount, p.currency) });
    if (refund.status !== "PENDING") {
      events.push({ at: refund.updatedAt, what: `REFUND ${refund.status}`,
        detail: [refund.failureReason, refund.detail].filter(Boolean).join(" · ") });
    }
  }
  return events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

function Actions({ payment, onDone }) {
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const action = useIdempotentSubmit((key, path, body) => ingress(`/v1/payments/${enc(payment.paymentId)}/${path}`,
    { method: "POST", body, headers: { "Idempotency-Key": key } }));
  async function run(path, body) {
    if (await action.submit(path, body) !== null) {
      onDone();
    }
  }
  const minor = toMinor(amount, payment.currency);
  return (
    <div class="actions">
      {payment.status === "AUTHORIZED" && !payment.batchAtomic && (
        <>
          <input placeholder="amount (all if empty)" value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
          <button data-testid="capture" disabled={action.busy}
            onClick={() => run("capture", amount ? { amount: minor } : {})}>Capture</button>
          <button data-testid="void" disabled={action.busy} onClick={() => run("void", {})}>Void</button>
        </>
      )}
      {payment.status === "COMPLETED" && payment.type !== "WITHDRAWAL" && (
        <>
          <input placeholder="amount to refund" value={amount} onInput={(e) => setAmount(e.currentTarget.value)}
            data-testid="refund-amount" />
          <input placeholder="reason" value={reason} maxlength="140" onInput={(e) => setReason(e.currentTarget.value)} />
          <button data-testid="refund" disabled={action.busy || Number.isNaN(minor)}
            onClick={() => run("refunds", { amount: minor, ...(reason ? { reason } : {}) })}>Refund</button>
        </>
      )}
      <ErrorBox error={action.error} />
    </div>
  );
}

export function PaymentDetail({ me, paymentId }) {
  const [tick, setTick] = useState(0);
  const sentAt = useRef(null);
  // Watch it move until it is final (or a hold waits for its capture), no refund is pending, and, after an action
  // sent from this page, until the processor has recorded it.
  const [payment, error, waiting] = useWatch(() => query(`/v1/payments/${enc(paymentId)}`), (value) =>
    (!FINAL.includes(value.status) && value.status !== "AUTHORIZED")
      || (value.refunds || []).some((r) => r.status === "PENDING")
      || (tick > 0 && fingerprint(value) === sentAt.current), [paymentId, tick]);
  const canAct = me.admin || me.scopes.includes("payments:write");
  return (
    <div data-testid="page-payment">
      <p><a href="#/payments">← Payments</a></p>
      <h2>Payment <code>{paymentId}</code></h2>
      {!payment && !error && <p>Waiting for the processor…</p>}
      <ErrorBox error={error} />
      {payment && (
        <section class="card">
          <div class="figures">
            <div><span class="label">Status</span><span class="figure" data-testid="payment-status">
              <Status value={payment.status} /></span></div>
            <div><span class="label">Amount</span><span class="figure">{money(payment.amount, payment.currency)}</span></div>
            <div><span class="label">From</span><span class="figure">{payment.from
              ? <a href={`#/accounts/${enc(payment.from)}`}>{payment.from}</a> : "–"}</span></div>
            <div><span class="label">To</span><span class="figure">{payment.to
              ? <a href={`#/accounts/${enc(payment.to)}`}>{payment.to}</a> : "–"}</span></div>
            {payment.batchId && (
              <div><span class="label">Batch</span><span class="figure">
                <a href={`#/batches/${enc(payment.batchId)}`} data-testid="payment-batch">
                  {payment.batchAtomic ? "atomic, " : ""}#{payment.batchIndex} of {payment.batchSize}</a></span></div>
            )}
            {payment.refundedAmount > 0 && (
              <div><span class="label">Refunded</span><span class="figure">
                {money(payment.refundedAmount, payment.currency)}</span></div>
            )}
          </div>
          <h3>Timeline</h3>
          <ol class="timeline" data-testid="timeline">
            {timeline(payment).map((e) => (
              <li><time>{when(e.at)}</time> <strong>{e.what}</strong> {e.detail && <span>{e.detail}</span>}</li>
            ))}
          </ol>
          {waiting && <p class="hint">Watching for its next status…</p>}
          {canAct && <Actions payment={payment} onDone={() => {
            sentAt.current = fingerprint(payment);
            setTick((t) => t + 1);
          }} />}
        </section>
      )}
    </div>
  );
}
