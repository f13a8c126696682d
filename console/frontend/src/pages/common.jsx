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

export function ErrorBox({ error }) {
  return error ? <p class="error" role="alert">{error.message}</p> : null;
}

export function Status({ value }) {
  return <span class={`status status-${String(value).toLowerCase()}`}>{value}</span>;
}
