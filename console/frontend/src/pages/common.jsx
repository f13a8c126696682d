import { useEffect, useRef, useState } from "preact/hooks";

/** Calls load() now and every intervalMs while mounted; returns [data, error, reload]. */
export function usePolling(load, intervalMs, deps = []) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const latest = useRef(load);
  latest.current = load;
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    let timer;
    const run = async () => {
      try {
        const value = await latest.current();
        if (live) {
          setData(value);
          setError(null);
        }
      } catch (e) {
        if (live) {
          setError(e);
        }
      }
      if (live && intervalMs) {
        timer = setTimeout(run, intervalMs);
      }
    };
    run();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [...deps, tick]);
  return [data, error, () => setTick((t) => t + 1)];
}

/**
 * Loads something the processor may not have stored yet, and watches it settle: load() now, then every 500 ms while
 * moving(value) says it may still change, for at most 60 s. A 404 in the first 15 s is retried: the ingress answers
 * before the processor has stored what it accepted. Returns [value, error, waiting].
 */
export function useWatch(load, moving, deps) {
  const [value, setValue] = useState(null);
  const [error, setError] = useState(null);
  const [waiting, setWaiting] = useState(true);
  const latest = useRef({ load, moving });
  latest.current = { load, moving };
  useEffect(() => {
    let live = true;
    let timer;
    setWaiting(true);
    const started = Date.now();
    const run = async () => {
      try {
        const next = await latest.current.load();
        if (!live) {
          return;
        }
        setValue(next);
        setError(null);
        if (latest.current.moving(next) && Date.now() - started < 60000) {
          timer = setTimeout(run, 500);
        } else {
          setWaiting(false);
        }
      } catch (e) {
        if (!live) {
          return;
        }
        if (e.status === 404 && Date.now() - started < 15000) {
          timer = setTimeout(run, 500);
        } else {
          setError(e);
          setWaiting(false);
        }
      }
    };
    run();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, deps);
  return [value, error, waiting];
}

export function ErrorBox({ error }) {
  return error ? <p class="error" role="alert">{error.message}</p> : null;
}

export function Status({ value }) {
  return <span class={`status status-${String(value).toLowerCase()}`}>{value}</span>;
}
