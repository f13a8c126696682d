import { useState } from "preact/hooks";
import { consoleConfig, enc, ingress, money, query, when } from "../api.js";
import { ErrorBox, Status, usePolling } from "./common.jsx";

const PAGE = 20;

export function Accounts() {
  const [prefix, setPrefix] = useState("");
  const [status, setStatus] = useState("");
  const [search, setSearch] = useState({ prefix: "", status: "" });
  const [cursors, setCursors] = useState([null]);
  const after = cursors[cursors.length - 1];
  const [page, error] = usePolling(() => query(`/v1/accounts?limit=${PAGE}`
    + (search.prefix ? `&prefix=${enc(search.prefix)}` : "") + (search.status ? `&status=${search.status}` : "")
    + (after ? `&after=${enc(after)}` : "")), 0, [search, after]);
  function submit(event) {
    event.preventDefault();
    setCursors([null]);
    setSearch({ prefix: prefix.trim(), status });
  }
  return (
    <div data-testid="page-accounts">
      <h2>Accounts</h2>
      <form class="inline" onSubmit={submit}>
        <label>Account id starts with
          <input name="prefix" data-testid="account-prefix" value={prefix}
            onInput={(e) => setPrefix(e.currentTarget.value)} />
        </label>
        <label>Status
          <select name="status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">any</option>
            {["ACTIVE", "FROZEN", "CLOSING", "CLOSED"].map((s) => <option value={s}>{s}</option>)}
          </select>
        </label>
        <button type="submit" data-testid="account-search">Search</button>
      </form>
      <ErrorBox error={error} />
      {page && (
        <table data-testid="accounts-table">
          <thead>
            <tr><th>Account</th><th>Status</th><th>Type</th><th class="num">Balance</th><th class="num">Available</th>
              <th class="num">Held</th></tr>
          </thead>
          <tbody>
            {page.accounts.map((a) => (
              <tr data-testid={`account-row-${a.accountId}`}>
                <td><a href={`#/accounts/${enc(a.accountId)}`}>{a.accountId}</a></td>
                <td><Status value={a.status} /></td>
                <td>{a.type}</td>
                <td class="num">{money(a.balance, a.currency)}</td>
                <td class="num">{money(a.available, a.currency)}</td>
                <td class="num">{money(a.held, a.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && page.accounts.length === 0 && <p>No accounts match.</p>}
      <div class="pager">
        <button disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>Previous</button>
        <button disabled={!page?.next} data-testid="accounts-next"
          onClick={() => setCursors([...cursors, page.next])}>Next</button>
      </div>
    </div>
  );
}

function History({ accountId, currency }) {
  const [cursors, setCursors] = useState([null]);
  const after = cursors[cursors.length - 1];
  const [page, error] = usePolling(() => query(`/v1/accounts/${enc(accountId)}/entries?limit=${PAGE}`
    + (after ? `&after=${enc(after)}` : "")), 0, [accountId, after]);
  return (
    <section class="card">
      <h3>History</h3>
      <ErrorBox error={error} />
      {page && (
        <table data-testid="history-table">
          <thead>
            <tr><th>#</th><th>When</th><th>Entry</th><th>Payment</th><th class="num">Amount</th>
              <th class="num">Balance after</th></tr>
          </thead>
          <tbody>
            {page.entries.map((e) => (
              <tr>
                <td>{e.entrySeq}</td>
                <td>{when(e.createdAt)}</td>
                <td>{e.type}</td>
                <td><a href={`#/payments/${enc(e.paymentId)}`}>{e.paymentId}</a></td>
                <td class="num">{money(e.amount, currency)}</td>
                <td class="num">{money(e.balanceAfter, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && page.entries.length === 0 && <p>No entries on this page.</p>}
      <div class="pager">
        <button disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>Previous</button>
        <button disabled={!page?.next} onClick={() => setCursors([...cursors, page.next])}>Next</button>
      </div>
    </section>
  );
}

export function AccountDetail({ me, accountId }) {
  const [account, error, reload] = usePolling(() => query(`/v1/accounts/${enc(accountId)}`), 5000, [accountId]);
  const [message, setMessage] = useState(null);
  const [actionError, setActionError] = useState(null);
  const canWrite = me.admin || me.scopes.includes("accounts:write");
  async function act(action) {
    setMessage(null);
    setActionError(null);
    try {
      await ingress(`/v1/accounts/${enc(accountId)}/${action}`, { method: "POST" });
      setMessage(`${action} requested; the ledger applies it in a moment.`);
      setTimeout(reload, 800);
    } catch (e) {
      setActionError(e);
    }
  }
  return (
    <div data-testid="page-account">
      <p><a href="#/accounts">← Accounts</a></p>
      <h2>{accountId}</h2>
      <ErrorBox error={error} />
      {account && (
        <section class="card">
          <div class="figures">
            <div><span class="label">Balance</span><span class="figure" data-testid="balance">
              {money(account.balance, account.currency)}</span></div>
            <div><span class="label">Available</span><span class="figure" data-testid="available">
              {money(account.available, account.currency)}</span></div>
            <div><span class="label">Held</span><span class="figure" data-testid="held">
              {money(account.held, account.currency)}</span></div>
            <div><span class="label">Status</span><span class="figure" data-testid="account-status">
              <Status value={account.status} /></span></div>
            <div><span class="label">Type</span><span class="figure">{account.type}</span></div>
            {account.email && <div><span class="label">Email</span><span class="figure">{account.email}</span></div>}
          </div>
          {canWrite && (
            <div class="actions">
              {account.status === "ACTIVE" && (
                <button data-testid="freeze" onClick={() => act("freeze")}>Freeze</button>
              )}
              {account.status === "FROZEN" && (
                <button data-testid="unfreeze" onClick={() => act("unfreeze")}>Unfreeze</button>
              )}
              {account.status !== "CLOSED" && account.status !== "CLOSING" && (
                <button class="danger" data-testid="close" onClick={() => {
                  if (confirm(`Close ${accountId}? Only an empty account closes.`)) {
                    act("close");
                  }
                }}>Close</button>
              )}
            </div>
          )}
          {message && <p class="ok" data-testid="action-message">{message}</p>}
          <ErrorBox error={actionError} />
        </section>
      )}
      {account && consoleConfig().history && <History accountId={accountId} currency={account.currency} />}
      {account && !consoleConfig().history && (
        <p class="hint">This processor has no history database, so the account's entries are not shown.</p>
      )}
    </div>
  );
}
