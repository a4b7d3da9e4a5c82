/**
 * Redaction of API keys, shared by the logger (every byte it writes) and the provider adapters
 * (every ProviderError they build), so both apply the same rules.
 */

/** What every redacted span becomes. */
export const REDACTED = '[REDACTED]';

/** Shorter configured secrets are ignored: redacting "abc" everywhere would shred ordinary text. */
export const MIN_SECRET_LENGTH = 7;

/**
 * Shapes of credentials that are redacted even when nobody listed them as secrets. Each keeps the
 * label (so a reader still sees *that* a key was there) and replaces only the value; each value
 * class stops at `"` and `\` so redacting inside a JSON line keeps the line valid JSON.
 */
const CREDENTIAL_PATTERNS: readonly (readonly [RegExp, string])[] = [
  // "Authorization: Bearer abc", "Bearer abc" inside an SDK error message.
  [/\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${REDACTED}`],
  // Header-like "authorization: Basic abc", JSON "authorization":"abc", "x-api-key: abc".
  [
    /\b((?:proxy-)?authorization|x-api-key|api-key)("?\s*[:=]\s*"?)(?:(?:Basic|Token|Bearer)\s+)?[^\s",;}\\]+/gi,
    `$1$2${REDACTED}`,
  ],
  // JSON string fields whose name says they hold a credential: {"apiKey":"..."}.
  [
    /("(?:api[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token|token|secret|client[_-]?secret|password)"\s*:\s*")(?:[^"\\]|\\.)*(")/gi,
    `$1${REDACTED}$2`,
  ],
  // Query parameters in URLs: ?api_key=…, &key=…, ?token=….
  [/([?&](?:api[_-]?key|apikey|key|token|access_token|auth|hf_token)=)[^&\s"'#\\]+/gi, `$1${REDACTED}`],
  // Environment-style assignments: MISTRAL_API_KEY=…, HF_TOKEN=….
  [/\b([A-Za-z0-9_]*(?:api_?key|token|secret|password)\s*=\s*)(?!\[REDACTED\])[^\s"'&\\]+/gi, `$1${REDACTED}`],
  // Hugging Face and OpenAI-style tokens have recognisable prefixes.
  [/\bhf_[A-Za-z0-9]{16,}/g, REDACTED],
  [/\bsk-[A-Za-z0-9_-]{20,}/g, REDACTED],
];

/**
 * Builds a function that replaces every listed secret (exactly, and in its JSON-escaped form) and
 * every credential-shaped span with `[REDACTED]`. The regular expressions are built here, once.
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    variants.add(secret);
    // A secret with a quote or backslash appears escaped inside NDJSON.
    variants.add(JSON.stringify(secret).slice(1, -1));
  }
  const exact =
    variants.size === 0
      ? null
      : new RegExp(
          [...variants]
            .sort((left, right) => right.length - left.length)
            .map(escapeRegExp)
            .join('|'),
          'g',
        );
  return (text: string): string => {
    let result = exact === null ? text : text.replace(exact, REDACTED);
    for (const [pattern, replacement] of CREDENTIAL_PATTERNS) result = result.replace(pattern, replacement);
    return result;
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
