/**
 * The corpus of real lines the fuzz test mutates, and the mutations. Real lines come from the
 * guide's own examples (the contract tests' fixture factory) and from the SDK writing bridged
 * summary lines through pino (the SDK tests' fixture factory), plus step-level lines — so the
 * mutations start from exactly what the parser meets in CloudWatch.
 */
import fc from 'fast-check';
import { sdkFixture } from '../sdk/sdk-fixture.js';
import { GUIDE_EXAMPLE_TEXT, guideExampleEvents, TRACE_ID } from '../contract/fixtures.js';

class PushRejected extends Error {}

/** Bridged lines exactly as the SDK writes them (slice + steps + an error with a fake token). */
async function sdkLines(): Promise<string[]> {
  const f = sdkFixture({}, 'worker');
  await f.tracing.runSlice(
    {
      event: 'coding.implementation',
      traceId: TRACE_ID,
      steps: ['clone', 'run_agent', 'push'],
      fields: { repo: { full_name: 'org/repo' }, pull_request: { number: 42 } },
    },
    async (slice) => {
      await slice.step('clone', () => undefined);
      await slice.step('run_agent', () => undefined);
      await slice
        .step('push', () =>
          Promise.reject(new PushRejected('remote: denied to x-access-token:ghs_FAKEfake0123456789FAKEfake0123456789')),
        )
        .catch(() => undefined);
      slice.finish('error', 'push_failed', new PushRejected('push failed'));
    },
  );
  await f.tracing.runSlice({ event: 'slack.prompt', fields: { slack: { user_id: 'U024BE7LH' } } }, async (slice) => {
    await slice.step('parse_command', () => undefined);
  });
  await f.tracing.shutdown();
  return f.raw
    .join('')
    .split('\n')
    .filter((l) => l !== '');
}

export async function realLines(): Promise<string[]> {
  const guide = [JSON.stringify(JSON.parse(GUIDE_EXAMPLE_TEXT)), ...guideExampleEvents().map((e) => JSON.stringify(e))];
  const steps = [
    JSON.stringify({
      level: 30,
      time: '2026-05-05T12:00:01.000Z',
      service: 'alakai-core',
      component: 'core',
      trace_id: TRACE_ID,
      msg: 'verifying signature',
    }),
    JSON.stringify({
      level: 'warn',
      time: 1777982400000,
      context: { trace_id: TRACE_ID, component: 'worker' },
      msg: 'retrying clone',
      attempt: 2,
    }),
  ];
  return [...guide, ...(await sdkLines()), ...steps];
}

/** Pieces an attacker (or a broken writer) puts into lines. */
const HOSTILE_PIECES = [
  '"__proto__":{"polluted":"yes"},',
  '"constructor":{"prototype":{"polluted":"yes"}},',
  '"prototype":1,',
  '"trace_id":"../../etc/passwd",',
  '"trace_id":"a1b2c3d4-...",',
  '"trace_id":"\\u0000\\u0007",',
  '"duration_ms":1e309,',
  '"duration_ms":-0,',
  '"time":"9999-99-99T99:99:99.999Z",',
  '"time":-62135596800000,',
  '"span_id":"0000000000000000",',
  '"otel":"{\\"v\\":1}",',
  '"steps":{"__proto__":"ok"},',
  '"level":"info",',
  '"msg":"[event] x -> success",',
  '\\ud800',
  '\u0000',
  '"a":' + '['.repeat(80) + ']'.repeat(80) + ',',
];

export type Mutation =
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; length: number }
  | { op: 'replace'; at: number; length: number; text: string }
  | { op: 'truncate'; at: number }
  | { op: 'duplicate'; at: number; length: number }
  | { op: 'setField'; path: readonly string[]; value: unknown }
  | { op: 'mutateOtel'; inner: Mutation };

const position = fc.double({ min: 0, max: 1, noNaN: true });
const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, '', -1, 1e21, Number.MAX_SAFE_INTEGER + 2, 'ok', 'error', '-', 'success', '__proto__'),
  fc.string({ maxLength: 64, unit: 'binary' }),
);
const textPiece = fc.oneof(
  fc.constantFrom(...HOSTILE_PIECES),
  fc.string({ maxLength: 32, unit: 'binary' }),
  fc.string({ maxLength: 8, unit: 'grapheme-ascii' }),
);
const fieldPath = fc.oneof(
  fc
    .constantFrom(
      'trace_id',
      'time',
      'level',
      'event',
      'outcome',
      'final_status',
      'duration_ms',
      'context',
      'steps',
      'error',
      'msg',
      'span_id',
      'parent_span_id',
      'otel',
      'service',
      'component',
      'repo',
      'task',
    )
    .map((k) => [k]),
  fc.constantFrom(
    ['context', 'trace_id'],
    ['context', 'component'],
    ['error', 'message'],
    ['error', 'type'],
    ['steps', 'clone'],
    ['repo', 'full_name'],
    ['pull_request', 'number'],
    ['__proto__', 'x'],
    ['constructor', 'prototype'],
  ),
);

const textMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: position, text: textPiece }),
  fc.record({ op: fc.constant('delete' as const), at: position, length: fc.nat(64) }),
  fc.record({ op: fc.constant('replace' as const), at: position, length: fc.nat(16), text: textPiece }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
  fc.record({ op: fc.constant('duplicate' as const), at: position, length: fc.nat(200) }),
);

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: textMutation },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('setField' as const), path: fieldPath, value: jsonValue }) },
  { weight: 2, arbitrary: textMutation.map((inner) => ({ op: 'mutateOtel' as const, inner })) },
);

/** Rewrites of the service's own domain fields and of free texts: most lines stay valid summary events. */
export const domainMutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constant('setField' as const),
  path: fc.constantFrom(
    ['repo', 'full_name'],
    ['task', 'task_id'],
    ['agent', 'model'],
    ['notes'],
    ['pull_request', 'url'],
    ['error', 'message'],
    ['extra', 'nested'],
    ['final_status'],
    ['duration_ms'],
  ),
  value: fc.oneof(
    fc.string({ maxLength: 200, unit: 'binary' }),
    fc.double({ noNaN: true, min: 0, max: 1e9 }),
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom('ghp_FAKEfake0123456789FAKEfake0123456789', 'AKIAIOSFODNN7EXAMPLE'),
  ),
});

function atIndex(text: string, at: number): number {
  return Math.min(text.length, Math.floor(at * text.length));
}

function applyText(text: string, m: Mutation): string {
  switch (m.op) {
    case 'insert': {
      const i = atIndex(text, m.at);
      return text.slice(0, i) + m.text + text.slice(i);
    }
    case 'delete': {
      const i = atIndex(text, m.at);
      return text.slice(0, i) + text.slice(i + m.length);
    }
    case 'replace': {
      const i = atIndex(text, m.at);
      return text.slice(0, i) + m.text + text.slice(i + m.length);
    }
    case 'truncate':
      return text.slice(0, atIndex(text, m.at));
    case 'duplicate': {
      const i = atIndex(text, m.at);
      return text.slice(0, i) + text.slice(i, i + m.length) + text.slice(i);
    }
    default:
      return text;
  }
}

/** Sets a (possibly nested) field on the parsed line; the line is re-serialized as a writer would. */
function setField(line: string, path: readonly string[], value: unknown): string {
  let root: unknown;
  try {
    root = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof root !== 'object' || root === null) return line;
  let target = root as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    // defineProperty: a plain assignment to "__proto__" would change the prototype, not add a key.
    if (typeof target[key] !== 'object' || target[key] === null || !Object.hasOwn(target, key))
      Object.defineProperty(target, key, { value: {}, enumerable: true, writable: true, configurable: true });
    target = target[key] as Record<string, unknown>;
  }
  Object.defineProperty(target, path[path.length - 1]!, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return JSON.stringify(root);
}

export function applyMutation(line: string, m: Mutation): string {
  if (m.op === 'setField') return setField(line, m.path, m.value);
  if (m.op === 'mutateOtel') {
    // The extension is JSON inside a JSON string: mutate the inner text, keep the outer line valid.
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (typeof parsed.otel !== 'string') return applyText(line, m.inner);
      parsed.otel = applyText(parsed.otel, m.inner);
      return JSON.stringify(parsed);
    } catch {
      return applyText(line, m.inner);
    }
  }
  return applyText(line, m);
}
