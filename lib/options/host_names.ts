/**
 * Which `Host` a credential server answers, against DNS rebinding (the hole
 * aws-vault closed in its issue 580): a web page whose own name its author
 * makes resolve to 127.0.0.1 talks to the server as its own origin, free to
 * read the answers, but its requests still carry that name as `Host`. So a
 * server answers only a `Host` that is an IP address, `localhost`, or a name
 * the user allowed (`--allow-host`), with any port. SDKs send the host of the
 * endpoint URL they were given, so no real client is refused.
 *
 * Names compare case-insensitively and without one trailing dot: `localhost.`
 * is `localhost`, a name no page's author can own. A request without `Host`
 * (only HTTP/1.0 allows that; SDKs and curl always send one) is refused too.
 *
 * @module
 */

/** `name` as it is compared: lower case, without one trailing dot. */
export function normalizeHostName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/** Whether `name` can be given to `--allow-host`: a DNS name, without port or wildcard. */
export function isHostName(name: string): boolean {
  return /^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?\.?$/i.test(name) && !name.includes("..");
}

const HOST_AND_PORT = /^(\[[^\]]*\]|[^:[\]]+)(?::\d{1,5})?$/;
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Why a request with this `Host` header value is refused, for `--debug`; or
 * `undefined` when it may be answered. `allowedNames` are normalized
 * ({@link normalizeHostName}).
 */
export function hostRefusal(
  host: string | null,
  allowedNames: readonly string[],
): string | undefined {
  if (host === null) return "refused a request without a Host header";
  const refused = `refused a request for Host ${JSON.stringify(host.slice(0, 100))}: ` +
    "not an IP address, localhost, or a name given with --allow-host";
  const hostname = HOST_AND_PORT.exec(host)?.[1];
  if (hostname === undefined) return refused;
  // An address, in any spelling: no page's name is bracketed or all digits.
  if (hostname.startsWith("[") || IPV4.test(hostname)) {
    return URL.canParse(`http://${hostname}/`) ? undefined : refused;
  }
  const name = normalizeHostName(hostname);
  return name === "localhost" || allowedNames.includes(name) ? undefined : refused;
}
