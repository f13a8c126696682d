// Every call the console makes: the query API on this page's own origin, the ingress at config.ingressUrl.
const KEY = "paystream.apiKey";

export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  set(key) {
    sessionStorage.setItem(KEY, key);
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

let config = { ingressUrl: null, simulator: false };

export async function loadConfig() {
  const response = await fetch("config.json");
  config = await response.json();
  return config;
}

export function consoleConfig() {
  return config;
}

/** An answer other than 2xx: status, and the API's error message when it sent one. */
export class ApiError extends Error {
  constructor(status, body, text) {
    super(body?.error?.message || text || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(callback) {
  onUnauthorized = callback;
}

async function call(base, path, { method = "GET", body, headers = {}, key = session.key } = {}) {
  const response = await fetch(base + path, {
    method,
    headers: {
      Authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    if (response.status === 401 && key === session.key) {
      onUnauthorized();
    }
    throw new ApiError(response.status, data, text);
  }
  return data;
}

export const query = (path, options) => call("", path, options);

export function ingress(path, options) {
  if (!config.ingressUrl) {
    return Promise.reject(new ApiError(0, null, "this console has no ingress configured (console.ingressUrl)"));
  }
  return call(config.ingressUrl, path, options);
}

/** Minor units as a decimal amount with its currency: 123456, "USD" → "1,234.56 USD". */
export function money(minor, currency) {
  if (minor === null || minor === undefined) {
    return "–";
  }
  const value = (Number(minor) / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency ? `${value} ${currency}` : value;
}

/** A decimal amount typed by a person, "12.5" → 1250 minor units; NaN when it is not one. */
export function toMinor(text) {
  if (!/^\d+(\.\d{1,2})?$/.test(String(text).trim())) {
    return NaN;
  }
  return Math.round(Number(text) * 100);
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "–";
}

export const enc = encodeURIComponent;
