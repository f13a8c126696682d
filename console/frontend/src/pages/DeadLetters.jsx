import { useState } from "preact/hooks";
import { query, when } from "../api.js";
import { ErrorBox, usePolling } from "./common.jsx";

const TOPICS = ["payments.dlq.v1", "webhooks.dlq.v1", "paystream.sinks.dlq.v1"];

function errorOf(headers) {
  const exception = headers["__streams.errors.exception"] || headers["__connect.errors.exception.class.name"]
    || headers["paystream.webhook.last-error"] || "";
  const message = headers["__streams.errors.message"] || headers["__connect.errors.exception.message"] || "";
  return [exception, message].filter(Boolean).join(": ");
}

function Letter({ record }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <tr class="clickable" onClick={() => setOpen(!open)} data-testid="dead-letter-row">
        <td>{when(record.timestamp)}</td>
        <td>{record.partition}:{record.offset}</td>
        <td><code>{record.key}</code></td>
        <td class="wrap">{errorOf(record.headers) || Object.keys(record.headers).join(", ")}</td>
      </tr>
      {open && (
        <tr>
          <td colspan="4">
            <dl class="headers">
              {Object.entries(record.headers).map(([name, value]) => (
                <>
                  <dt>{name}</dt>
                  <dd><pre>{value}</pre></dd>
                </>
              ))}
              <dt>value ({record.valueBytes} bytes, {record.valueEncoding})</dt>
              <dd><pre>{record.value}</pre></dd>
            </dl>
          </td>
        </tr>
      )}
    </>
  );
}

export function DeadLetters() {
  const [topic, setTopic] = useState(TOPICS[0]);
  const [page, error, reload] = usePolling(() => query(`/v1/dead-letters?topic=${topic}&limit=50`), 0, [topic]);
  return (
    <div data-testid="page-dead-letters">
      <div class="toolbar">
        <h2>Dead letters</h2>
        <label>Topic
          <select value={topic} onChange={(e) => setTopic(e.currentTarget.value)} data-testid="dlq-topic">
            {TOPICS.map((t) => <option value={t}>{t}</option>)}
          </select>
        </label>
        <button onClick={reload}>Refresh</button>
      </div>
      <p class="hint">The newest 50 records, newest first. Click one for its headers and value.</p>
      <ErrorBox error={error} />
      {page && page.records.length === 0 && <p data-testid="no-dead-letters">None: nothing has failed here.</p>}
      {page && page.records.length > 0 && (
        <table data-testid="dead-letters-table">
          <thead><tr><th>When</th><th>Partition:offset</th><th>Key</th><th>Error</th></tr></thead>
          <tbody>{page.records.map((r) => <Letter record={r} />)}</tbody>
        </table>
      )}
    </div>
  );
}
