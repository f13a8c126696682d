import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { loadConfig, query, session, whenUnauthorized } from "./api.js";
import { Overview } from "./pages/Overview.jsx";
import { Accounts, AccountDetail } from "./pages/Accounts.jsx";
import { Payments, PaymentDetail } from "./pages/Payments.jsx";
import { BatchDetail } from "./pages/Batch.jsx";
import { DeadLetters } from "./pages/DeadLetters.jsx";
import { Simulator } from "./pages/Simulator.jsx";
import "uplot/dist/uPlot.min.css";
import "./styles.css";

function useHash() {
  const [hash, setHash] = useState(location.hash || "#/overview");
  useEffect(() => {
    const changed = () => setHash(location.hash || "#/overview");
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return hash;
}

function SignIn({ onSignedIn, notice }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState(notice);
  const [busy, setBusy] = useState(false);
  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await query("/v1/me", { key: key.trim() });
      session.set(key.trim());
      onSignedIn(me);
    } catch (e) {
      setError(e.status === 401 ? "This API key was refused." : `Cannot sign in: ${e.message}`);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main class="signin">
      <h1>PayStream</h1>
      <p>Sign in with an API key. It is kept in this tab's session storage only, and forgotten when the tab closes.</p>
      <form onSubmit={submit}>
        <label>
          API key
          <input type="password" name="apiKey" data-testid="api-key" autocomplete="off" value={key}
            onInput={(e) => setKey(e.currentTarget.value)} required />
        </label>
        <button type="submit" data-testid="sign-in" disabled={busy}>Sign in</button>
      </form>
      {error && <p class="error" role="alert" data-testid="sign-in-error">{error}</p>}
    </main>
  );
}

const PAGES = [
  ["overview", "Overview"],
  ["accounts", "Accounts"],
  ["payments", "Payments"],
  ["dead-letters", "Dead letters", true],
  ["simulator", "Simulator", true],
];

function App() {
  const [me, setMe] = useState(null);
  const [checking, setChecking] = useState(true);
  const [notice, setNotice] = useState(null);
  const hash = useHash();

  useEffect(() => {
    whenUnauthorized(() => {
      session.clear();
      setMe(null);
      setNotice("Your key is no longer accepted: sign in again.");
    });
    (async () => {
      await loadConfig();
      if (session.key) {
        try {
          setMe(await query("/v1/me"));
        } catch {
          session.clear();
        }
      }
      setChecking(false);
    })();
  }, []);

  if (checking) {
    return <p class="loading">Loading…</p>;
  }
  if (!me) {
    return <SignIn notice={notice} onSignedIn={(who) => { setNotice(null); setMe(who); }} />;
  }
  const [, page, id] = hash.split("/").map(decodeURIComponent);
  let content;
  if (page === "accounts" && id) {
    content = <AccountDetail me={me} accountId={id} />;
  } else if (page === "accounts") {
    content = <Accounts me={me} />;
  } else if (page === "payments" && id) {
    content = <PaymentDetail me={me} paymentId={id} />;
  } else if (page === "batches" && id) {
    content = <BatchDetail me={me} batchId={id} />;
  } else if (page === "payments") {
    content = <Payments me={me} />;
  } else if (page === "dead-letters") {
    content = <DeadLetters me={me} />;
  } else if (page === "simulator") {
    content = <Simulator me={me} />;
  } else {
    content = <Overview me={me} />;
  }
  return (
    <div class="shell">
      <header>
        <strong class="brand">PayStream</strong>
        <nav>
          {PAGES.filter(([, , adminOnly]) => !adminOnly || me.admin).map(([name, label]) => (
            <a href={`#/${name}`} class={page === name || (!page && name === "overview") ? "active" : ""}
              data-testid={`nav-${name}`}>{label}</a>
          ))}
        </nav>
        <span class="who" data-testid="who">{me.clientId}{me.admin ? " (admin)" : ""}</span>
        <button class="link" data-testid="sign-out" onClick={() => { session.clear(); setMe(null); }}>
          Sign out
        </button>
      </header>
      <main>{content}</main>
    </div>
  );
}

render(<App />, document.getElementById("app"));
