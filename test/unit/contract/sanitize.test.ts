/**
 * The sanitizer against a corpus of real-looking secrets inside real-looking error messages. The
 * secrets are fake but of the right shape (prefix, alphabet, length), and obviously fake to a
 * reader: EXAMPLE / FAKE / 0123456789 patterns.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_TEXT_LENGTH, sanitizeText, TRUNCATION_MARKER } from '../../../src/contract/sanitize.js';

const FAKE = {
  ghp: 'ghp_' + 'FAKEfake0123456789FAKEfake0123456789', // 36 after the prefix
  gho: 'gho_' + 'EXAMPLEexample0123456789EXAMPLEexampl',
  ghs: 'ghs_' + '0123456789abcdefABCDEF0123456789abcd',
  ghu: 'ghu_' + 'FAKE0123456789FAKE0123456789FAKE0123',
  ghr: 'ghr_' + 'example0123456789EXAMPLE0123456789ab',
  pat: 'github_pat_' + '11FAKE0000000000000000_' + 'FAKEfake0123456789FAKEfake0123456789FAKEfake0123456789FAKEfake0',
  slackBot: 'xoxb-' + '000000000000-0000000000000-FAKEfakeFAKEfakeFAKEfake',
  slackUser: 'xoxp-' + '000000000000-000000000000-000000000000-fakefakefakefakefakefakefakefake',
  slackApp: 'xapp-1-' + 'A0FAKE00000-0000000000000-fakefakefakefakefakefakefakefake',
  akia: 'AKIA' + 'IOSFODNN7EXAMPLE',
  asia: 'ASIA' + 'FAKE0123456789AB',
  secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.FAKEsignatureFAKEsignature',
};
const PEM = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE',
  'FAKEFAKEFAKE==',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

// [message as an app would throw it, what must be gone, what must stay, marker]
const CORPUS: Array<[string, string, string, string]> = [
  [
    `HttpError: 401 Bad credentials for token ${FAKE.ghp} (GET /repos/org/repo)`,
    FAKE.ghp,
    'GET /repos/org/repo',
    '[REDACTED:github_token]',
  ],
  [
    `git clone failed: https://x-access-token:${FAKE.ghs}@github.com/org/repo.git`,
    FAKE.ghs,
    '@github.com/org/repo.git',
    '[REDACTED:url_credentials]',
  ],
  [`oauth exchange returned ${FAKE.gho}`, FAKE.gho, 'oauth exchange returned', '[REDACTED:github_token]'],
  [
    `user token ${FAKE.ghu} expired; refresh ${FAKE.ghr} rejected`,
    FAKE.ghr,
    'expired; refresh',
    '[REDACTED:github_token]',
  ],
  [
    `Octokit: Resource not accessible by integration (token=${FAKE.pat})`,
    FAKE.pat,
    'Resource not accessible',
    '[REDACTED:github_token]',
  ],
  [`Slack API error invalid_auth for ${FAKE.slackBot}`, FAKE.slackBot, 'invalid_auth', '[REDACTED:slack_token]'],
  [`chat.postMessage: not_authed (${FAKE.slackUser})`, FAKE.slackUser, 'not_authed', '[REDACTED:slack_token]'],
  [
    `socket mode connect failed with ${FAKE.slackApp}`,
    FAKE.slackApp,
    'socket mode connect failed',
    '[REDACTED:slack_token]',
  ],
  [
    `The security token included in the request is invalid. AccessKeyId: ${FAKE.akia}`,
    FAKE.akia,
    'AccessKeyId:',
    '[REDACTED:aws_access_key_id]',
  ],
  [`ExpiredToken: session ${FAKE.asia} expired`, FAKE.asia, 'expired', '[REDACTED:aws_access_key_id]'],
  [
    `config error: aws_secret_access_key=${FAKE.secret} is not valid`,
    FAKE.secret,
    'aws_secret_access_key=',
    '[REDACTED:aws_secret_access_key]',
  ],
  [
    `bad credentials {"accessKeyId":"x","secretAccessKey": "${FAKE.secret}"}`,
    FAKE.secret,
    '"secretAccessKey": "',
    '[REDACTED:aws_secret_access_key]',
  ],
  [`request failed: Authorization: Bearer ${FAKE.jwt}`, FAKE.jwt, 'Authorization: Bearer', '[REDACTED:bearer_token]'],
  [
    `redis connect ECONNREFUSED redis://default:FAKEpassw0rd@10.0.3.7:6379`,
    'FAKEpassw0rd',
    '@10.0.3.7:6379',
    '[REDACTED:url_credentials]',
  ],
  [
    `Error: cannot parse key\n${PEM}\n    at loadKey (key.js:10:3)`,
    'MIIEowIBAAKCAQEA',
    'at loadKey (key.js:10:3)',
    '[REDACTED:private_key]',
  ],
  [
    `truncated key in env: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANFAKEFAKE`,
    'MIIEvQIBADANFAKEFAKE',
    'truncated key in env:',
    '[REDACTED:private_key]',
  ],
];

describe('sanitizeText', () => {
  it.each(CORPUS)('%s', (message, secret, kept, marker) => {
    const clean = sanitizeText(message);
    expect(clean).not.toContain(secret);
    expect(clean).toContain(kept);
    expect(clean).toContain(marker);
  });

  it('leaves ordinary error messages alone', () => {
    for (const message of [
      'AgentTimeoutError: agent did not finish within 900000 ms',
      'ECS RunTask failed: capacity unavailable in us-east-1a (slot_unavailable)',
      'Validation failed: branch "feature/ghp-cleanup" does not exist',
      'Secret rotation scheduled; see https://docs.example.com/rotate for details',
      'The Bearer of this message is innocent',
    ]) {
      expect(sanitizeText(message)).toBe(message);
    }
  });

  it('caps the length with a marker, never past the cap, without splitting a surrogate pair', () => {
    const long = 'a'.repeat(DEFAULT_MAX_TEXT_LENGTH - 13) + '😀'.repeat(100);
    const clean = sanitizeText(long);
    expect(clean.length).toBeLessThanOrEqual(DEFAULT_MAX_TEXT_LENGTH);
    expect(clean.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(clean).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(sanitizeText('x'.repeat(100), 50)).toBe('x'.repeat(50 - TRUNCATION_MARKER.length) + TRUNCATION_MARKER);
  });

  it('is idempotent, so sanitized text survives the round trip unchanged', () => {
    for (const [message] of CORPUS) {
      const once = sanitizeText(message);
      expect(sanitizeText(once)).toBe(once);
    }
    const truncated = sanitizeText('y'.repeat(5000));
    expect(sanitizeText(truncated)).toBe(truncated);
  });

  it('redacts a secret even when it sits past the cap (no half-token left at the cut)', () => {
    const message = 'x'.repeat(DEFAULT_MAX_TEXT_LENGTH - 30) + ' ' + FAKE.ghp;
    expect(sanitizeText(message)).not.toMatch(/ghp_[A-Za-z0-9]{4}/);
  });

  // No timing assertion: a backtracking pattern would hang these and hit the test timeout.
  it('handles 1 MB hostile inputs made of near-miss prefixes', () => {
    const inputs = [
      'ghp_'.repeat(262_144),
      'a://'.repeat(262_144),
      'x://' + 'u'.repeat(1_048_576) + ':',
      'https://' + 'a:'.repeat(524_288),
      'Bearer '.repeat(149_796),
      '-----BEGIN '.repeat(95_325),
      '-----BEGIN PRIVATE KEY-----'.repeat(38_836),
      'secret=' + 'A'.repeat(1_048_576),
      'AKIA'.repeat(262_144),
      'xoxb-'.repeat(209_715),
    ];
    for (const input of inputs) {
      const clean = sanitizeText(input, 1_100_000);
      expect(typeof clean).toBe('string');
      expect(clean.length).toBeLessThanOrEqual(1_100_000);
    }
  });
});
