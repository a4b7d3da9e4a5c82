/**
 * The one list of socket and TLS error codes that mean "the provider could not be reached": both
 * `toProviderError` (which classifies the failure as `network`) and `describeNetworkError` (which
 * words it) read it, so a code can never be worded as a network failure and classified as something
 * else. Codes are Node's (`ECONNREFUSED`), undici's (`UND_ERR_*`) and OpenSSL's through Node
 * (`ERR_SSL_*`, certificate codes); see https://nodejs.org/api/errors.html#common-system-errors.
 */

/** Codes with words of their own. */
const EXACT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused, nothing listens there',
  ENOTFOUND: 'host not found, check the host name',
  EAI_AGAIN: 'host name lookup failed, no DNS or no network',
  ECONNRESET: 'connection reset by the server',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  // OpenSSL read a reply that is not TLS: almost always an https:// URL to a plain-HTTP server.
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed, the server does not speak TLS: if it serves plain HTTP, use an http:// URL',
};

/** Families of codes, first match wins: certificate codes before the other TLS ones. */
const FAMILIES: readonly { readonly pattern: RegExp; readonly what: string }[] = [
  { pattern: /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_CERT)/, what: 'TLS certificate rejected' },
  { pattern: /^(ERR_SSL_|ERR_TLS_|EPROTO$)/, what: 'TLS handshake failed' },
  { pattern: /^(ECONN|UND_ERR_)/, what: 'network failure' },
];

/** What a network failure with `code` means, in words; undefined when `code` is not a network failure. */
export function networkFailureWords(code: string): string | undefined {
  return EXACT[code] ?? FAMILIES.find((family) => family.pattern.test(code))?.what;
}

/** How deep a cause chain is read: SDKs wrap fetch's error at most twice. */
export const CAUSE_CHAIN_DEPTH = 6;

/** The first network failure code in `error`'s cause chain, if any. */
export function networkFailureCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < CAUSE_CHAIN_DEPTH && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && networkFailureWords(code) !== undefined) return code;
    current = cause;
  }
  return undefined;
}
