// Secrets in URLs never reach a log line or an error message: a database URL carries a password, an RPC
// URL often an API key (in the user info, the path — Infura's /v3/<key>, Alchemy's /v2/<key> — or the
// query). Every URL this project prints goes through redactUrl, and the logger passes every logged
// string through redactUrlsIn (server/lib/logger.ts).

const REDACTED = "[redacted]";
/** A path segment that looks like a key or token: long and made of token characters. */
const SECRET_SEGMENT = /^[A-Za-z0-9_\-.~%]{16,}$/;
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/**
 * The URL with its user name and password, query values and key-like path segments replaced by
 * `[redacted]`; scheme, host, port and short path segments (a database name, `/rpc`) are kept so the
 * message still says where. Text that does not parse as a URL keeps only its scheme.
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(url)?.[1];
    return scheme === undefined ? REDACTED : `${scheme}${REDACTED}`;
  }
  if (!u.host) return url; // file:./data/ledgerline.db, sqlite: paths: nothing secret in them
  const userInfo = u.username || u.password ? `${REDACTED}@` : "";
  const path = u.pathname
    .split("/")
    .map((segment) => (SECRET_SEGMENT.test(segment) ? REDACTED : segment))
    .join("/");
  const query = [...u.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=${REDACTED}`).join("&");
  // new URL() adds a "/" path to "http://host:port": keep the text's own form.
  const shownPath = path === "/" && !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\//i.test(url) ? "" : path;
  return `${u.protocol}//${userInfo}${u.host}${shownPath}${query ? `?${query}` : ""}${u.hash ? `#${REDACTED}` : ""}`;
}

/** Every URL inside `text` redacted (free text such as an error message). */
export function redactUrlsIn(text: string): string {
  return text.includes("://") ? text.replace(URL_IN_TEXT, (m) => redactUrl(m)) : text;
}
