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

let config = { ingressUrl: null, simulator: false, minorUnits: {} };

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

/** The decimal places of a currency's minor unit (USD 2, JPY 0, KWD 3), from the server's ISO 4217 table. */
export function minorUnits(currency) {
  const units = config.minorUnits ? config.minorUnits[currency] : undefined;
  return units === undefined ? 2 : units;
}

/** Minor units as a decimal amount with its currency: 123456, "USD" → "1,234.56 USD"; 1000, "JPY" → "1,000 JPY". */
export function money(minor, currency) {
  if (minor === null || minor === undefined) {
    return "–";
  }
  const digits = minorUnits(currency);
  const value = (Number(minor) / 10 ** digits).toLocaleString("en-US",
    { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return currency ? `${value} ${currency}` : value;
}

/**
 * A decimal amount typed by a person, in the currency's own decimals: "12.5" USD → 1250, "1000" JPY → 1000,
 * "1.5" KWD → 1500 minor units; NaN when it is not one (more decimals than the currency has, or not a number).
 */
export function toMinor(text, currency) {
  const digits = minorUnits(currency);
  const typed = String(text).trim();
  const pattern = digits === 0 ? /^\d+$/ : new RegExp(`^\\d+(\\.\\d{1,${digits}})?$`);
  if (!pattern.test(typed)) {
    return NaN;
  }
  const [whole, fraction = ""] = typed.split(".");
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
}

/** How many decimals an amount in this currency may be typed with, for a person: "two decimals", "no decimals". */
export function decimalsHint(currency) {
  const digits = minorUnits(currency);
  return digits === 0 ? "a whole number, such as 1000" : `a positive decimal with at most ${digits} places, such as `
    + `12.${"5".padEnd(digits, "0")}`;
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "–";
}

export const enc = encodeURIComponent;
