/**
 * Redacts credentials from free text (error messages, span status messages) before it is written
 * to a log line. Every pattern is linear-time: bounded repetitions over classes that cannot overlap
 * the next token, no nested quantifiers, so a hostile 1 MB message costs one pass per pattern.
 * The PEM block, whose body is unbounded, is found with indexOf instead of a regex.
 */

export const DEFAULT_MAX_TEXT_LENGTH = 1024;
export const TRUNCATION_MARKER = '…[truncated]';

export type SecretKind =
  | 'github_token'
  | 'slack_token'
  | 'aws_access_key_id'
  | 'aws_secret_access_key'
  | 'bearer_token'
  | 'url_credentials'
  | 'private_key';

export function redactionMarker(kind: SecretKind): string {
  return `[REDACTED:${kind}]`;
}

interface Rule {
  pattern: RegExp;
  replace: string;
}

// Compiled once; `replace` with a /g regex resets lastIndex, so sharing them is safe.
const RULES: readonly Rule[] = [
  // scheme://user:password@host — keep the scheme and host so the message still says where.
  {
    pattern: /\b([A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/)[^\s:@/]{1,256}:[^\s@/]{1,256}@/g,
    replace: `$1${redactionMarker('url_credentials')}@`,
  },
  {
    pattern: /\bBearer[ \t]{1,8}[A-Za-z0-9\-._~+/]{8,4096}={0,2}/g,
    replace: `Bearer ${redactionMarker('bearer_token')}`,
  },
  // GitHub: classic (ghp_, gho_, ghs_, ghu_, ghr_ + base62) and fine-grained (github_pat_ + base62/_).
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{20,255}/g, replace: redactionMarker('github_token') },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{20,255}/g, replace: redactionMarker('github_token') },
  { pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,255}/g, replace: redactionMarker('slack_token') },
  // Slack app-level tokens: xapp-<digit>-…
  { pattern: /\bxapp-[0-9]-[A-Za-z0-9-]{10,255}/g, replace: redactionMarker('slack_token') },
  { pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, replace: redactionMarker('aws_access_key_id') },
  // A 40-character base64 value right after a secret-ish key (`aws_secret_access_key=…`,
  // `"secretAccessKey": "…"`, `secret: …`); the key stays so the reader knows what was there.
  {
    pattern:
      /\b((?:aws_?)?secret(?:_?access)?(?:_?key)?["']?[ \t]{0,4}[:=][ \t]{0,4}["']?)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/gi,
    replace: `$1${redactionMarker('aws_secret_access_key')}`,
  },
];

/**
 * Every rule's match contains one of these literals (case folded, so this is a superset). Most
 * text — the backfill sanitizes every step line's message and fields — holds none, and one test
 * of this alternation of short literals (linear: no quantifiers) costs far less than running all
 * rules. When it matches, all rules run as before.
 */
const MAY_HOLD_SECRET_RE = /:\/\/|bearer|gh[pousr]_|github_pat_|xox|xapp-|akia|asia|secret/i;

const PEM_BEGIN = '-----BEGIN ';
const PEM_END = '-----END ';
const PEM_DASHES = '-----';
const PEM_LABEL_MAX = 64;

/** PEM private key blocks; a block with no END line (a truncated key) is redacted to the end. */
function redactPrivateKeys(text: string): string {
  let from = 0;
  let out = '';
  for (;;) {
    const begin = text.indexOf(PEM_BEGIN, from);
    if (begin < 0) break;
    const labelEnd = text.indexOf(PEM_DASHES, begin + PEM_BEGIN.length);
    if (labelEnd < 0 || labelEnd - begin > PEM_BEGIN.length + PEM_LABEL_MAX) {
      out += text.slice(from, begin + PEM_BEGIN.length);
      from = begin + PEM_BEGIN.length;
      continue;
    }
    const label = text.slice(begin + PEM_BEGIN.length, labelEnd);
    if (!label.endsWith('PRIVATE KEY')) {
      out += text.slice(from, labelEnd);
      from = labelEnd;
      continue;
    }
    const endLine = text.indexOf(PEM_END, labelEnd + PEM_DASHES.length);
    let stop = text.length;
    if (endLine >= 0) {
      const close = text.indexOf(PEM_DASHES, endLine + PEM_END.length);
      stop = close >= 0 ? close + PEM_DASHES.length : text.length;
    }
    out += text.slice(from, begin) + redactionMarker('private_key');
    from = stop;
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * Longest input we scan. Secrets are short (a PEM key is a few KiB), so text beyond
 * maxLength + this slack is cut before scanning: it would be truncated anyway.
 */
const SCAN_SLACK = 16 * 1024;

/** Redacts secrets, then caps the length (the result is at most `maxLength` characters). */
export function sanitizeText(text: string, maxLength: number = DEFAULT_MAX_TEXT_LENGTH): string {
  if (typeof text !== 'string') return '';
  const limit = Number.isFinite(maxLength)
    ? Math.max(TRUNCATION_MARKER.length, Math.floor(maxLength))
    : DEFAULT_MAX_TEXT_LENGTH;
  const precut = text.length > limit + SCAN_SLACK;
  let out = precut ? text.slice(0, limit + SCAN_SLACK) : text;
  if (out.includes(PEM_BEGIN)) out = redactPrivateKeys(out);
  if (MAY_HOLD_SECRET_RE.test(out)) for (const rule of RULES) out = out.replace(rule.pattern, rule.replace);
  if (!precut && out.length <= limit) return out;
  let cut = Math.min(out.length, limit - TRUNCATION_MARKER.length);
  // Do not split a UTF-16 surrogate pair.
  const code = out.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return out.slice(0, cut) + TRUNCATION_MARKER;
}
