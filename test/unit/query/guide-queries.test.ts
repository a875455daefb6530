/**
 * The guide's common queries, copied verbatim into test/fixtures/query/guide-common-queries.txt,
 * through the local engine on the demo's logs and on generated legacy lines. Every answer is
 * checked against a computation written here by hand (JSON.parse, plain filters, plain sorts),
 * never against the engine's own output.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventFromLine, fillQuery, GUIDE_QUERIES, parseQuery, runQuery } from '../../../src/query/index.js';
import { legacyLines } from './legacy-lines.js';

const root = join(import.meta.dirname, '../../..');
const fixture = readFileSync(join(root, 'test/fixtures/query/guide-common-queries.txt'), 'utf8');

/** Title → query text, as the guide prints them. */
function guideTexts(): Map<string, string> {
  const titles = new Set(GUIDE_QUERIES.map((q) => q.title));
  const out = new Map<string, string>();
  let title: string | undefined;
  for (const line of fixture.split('\n')) {
    if (titles.has(line)) {
      title = line;
      out.set(title, '');
    } else if (title && line.length > 0) out.set(title, out.get(title) === '' ? line : `${out.get(title)}\n${line}`);
  }
  return out;
}

type Line = Record<string, any>;
const get = (l: Line, path: string): unknown =>
  path.split('.').reduce<any>((n, k) => (n == null ? undefined : n[k]), l);
const ts = (l: Line): string => {
  const iso = new Date(l.time).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
};
function pick(l: Line, cols: string[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const c of cols) {
    const v = c === '@timestamp' ? ts(l) : get(l, c);
    if (v !== undefined && (typeof v !== 'object' || v === null)) row[c] = v;
  }
  return row;
}
const byTimeDesc = (a: Line, b: Line): number => Date.parse(b.time) - Date.parse(a.time);
function nearestRank(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil((p / 100) * s.length)) - 1]!;
}

/** The expected rows of each guide query over `lines`, computed by hand. */
function expected(name: string, lines: Line[], params: Record<string, string>): Record<string, unknown>[] {
  const cols = (text: string): string[] =>
    text
      .slice(7, text.indexOf('|'))
      .split(',')
      .map((c) => c.trim());
  const text = fillQuery(
    GUIDE_QUERIES.find((q) => q.name === name)!,
    params,
  );
  const rows = (keep: (l: Line) => boolean, sort: (a: Line, b: Line) => number, limit: number) =>
    lines
      .filter(keep)
      .sort(sort)
      .slice(0, limit)
      .map((l) => pick(l, cols(text)));
  switch (name) {
    case 'errors':
      return rows((l) => l.outcome === 'error', byTimeDesc, 100);
    case 'errors --event':
      return rows((l) => l.event === params['event'] && l.outcome === 'error', byTimeDesc, 50);
    case 'slow':
      return rows(
        (l) => l.context?.component === 'worker' && typeof l.duration_ms === 'number' && l.duration_ms > 300000,
        (a, b) => b.duration_ms - a.duration_ms,
        50,
      );
    case 'repo':
      return rows(
        (l) =>
          (l.event === 'coding.implementation' || l.event === 'slack.implementation') &&
          l.context?.component === 'worker' &&
          l.repo?.full_name === params['repo'],
        byTimeDesc,
        100,
      );
    case 'slack-user':
      return rows(
        (l) =>
          typeof l.event === 'string' &&
          l.event.startsWith('slack.') &&
          l.outcome === 'error' &&
          l.slack?.user_id === params['user'],
        byTimeDesc,
        50,
      );
    case 'slots':
      return rows(
        (l) => l.context?.component === 'orchestrator' && l.final_status === 'slot_unavailable',
        byTimeDesc,
        50,
      );
    case 'percentiles': {
      const groups = new Map<string, { event: string; component: unknown; d: number[]; n: number }>();
      for (const l of lines) {
        if (typeof l.event !== 'string' || l.event.length === 0) continue;
        const key = JSON.stringify([l.event, l.context?.component]);
        const g = groups.get(key) ?? { event: l.event, component: l.context?.component, d: [] as number[], n: 0 };
        groups.set(key, g);
        g.n++;
        if (typeof l.duration_ms === 'number') g.d.push(l.duration_ms);
      }
      return [...groups.values()]
        .map((g) => ({
          event: g.event,
          ...(g.component !== undefined ? { 'context.component': g.component } : {}),
          ...(g.d.length ? { p90_ms: nearestRank(g.d, 90), p99_ms: nearestRank(g.d, 99) } : {}),
          total: g.n,
        }))
        .sort((a, b) => (b.p99_ms ?? -1) - (a.p99_ms ?? -1));
    }
  }
  throw new Error(name);
}

function check(lines: string[], params: Record<string, string>, name: string): void {
  const parsed = lines.map((t) => JSON.parse(t) as Line);
  const q = GUIDE_QUERIES.find((x) => x.name === name)!;
  const result = runQuery(
    parseQuery(fillQuery(q, params)),
    lines.map((t) => eventFromLine(t)),
  );
  const want = expected(name, parsed, params);
  // Ties in the sort key may come in any order: compare as sets, and the key order separately.
  expect(result.rows.map((r) => ({ ...r }))).toEqual(expect.arrayContaining(want));
  expect(result.rows).toHaveLength(want.length);
  const key = name === 'slow' ? 'duration_ms' : name === 'percentiles' ? 'p99_ms' : '@timestamp';
  expect(result.rows.map((r) => r[key])).toEqual(want.map((r) => r[key]));
}

describe('the guide queries', () => {
  it('are the guide text, verbatim, with their default parameters', () => {
    const texts = guideTexts();
    expect(texts.size).toBe(GUIDE_QUERIES.length);
    for (const q of GUIDE_QUERIES) expect(fillQuery(q), q.title).toBe(texts.get(q.title));
  });

  describe('on the demo logs', () => {
    let dir: string;
    let lines: string[];
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'query-demo-'));
      execFileSync(
        process.execPath,
        [join(root, 'bin/alakai-otel.js'), 'demo', '--out', join(dir, 'd'), '--executions', '40'],
        {
          stdio: 'ignore',
        },
      );
      lines = ['core', 'orchestrator', 'worker'].flatMap((c) =>
        readFileSync(join(dir, 'd/logs', `${c}.ndjson`), 'utf8')
          .split('\n')
          .filter((l) => l.length > 0),
      );
      // A line written twice counts twice (CloudWatch stores both events).
      lines.push(lines.find((l) => l.includes('"outcome":"error"'))!);
    }, 60_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('answer every query as the hand computation does', () => {
      const parsed = lines.map((l) => JSON.parse(l) as Line);
      const repo = parsed.find((l) => l.repo?.full_name && l.context?.component === 'worker')?.repo.full_name as string;
      const user = parsed.find((l) => l.slack?.user_id && l.outcome === 'error' && String(l.event).startsWith('slack.'))
        ?.slack.user_id as string;
      expect(repo).toBeTruthy();
      expect(user).toBeTruthy();
      for (const q of GUIDE_QUERIES) check(lines, { event: 'coding.implementation', repo, user }, q.name);
      // The demo's errors are there, twice for the duplicated line.
      const errors = runQuery(
        parseQuery(fillQuery(GUIDE_QUERIES[0]!)),
        lines.map((l) => eventFromLine(l)),
      );
      expect(errors.rows.length).toBe(parsed.filter((l) => l.outcome === 'error').length);
      expect(errors.rows.length).toBeGreaterThan(1);
    });
  });

  it('answer every query on generated legacy lines (no bridge extension, slow workers, slot contention)', () => {
    const lines = legacyLines(300, Date.UTC(2026, 0, 1)).map((l) => l.text);
    for (const q of GUIDE_QUERIES)
      check(lines, { event: 'slack.implementation', repo: 'acme/api', user: 'U111' }, q.name);
  });
});
