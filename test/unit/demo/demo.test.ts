/**
 * The demo, end to end through the built CLI: three real component processes, real files. These
 * are the acceptance checks for `alakai-otel demo`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseLogLine, validateSummaryEvent } from '../../../src/contract/index.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';
import {
  groupBy,
  REPO_ROOT,
  runDemoFixture,
  traceHex,
  type DemoOutput,
  type LogLine,
  removeFreshDirs,
} from './demo-fixture.js';

afterAll(removeFreshDirs);

const SCHEMA_PATH = join(REPO_ROOT, 'schema', 'summary-event.schema.json');
const DEFAULT_EXECUTIONS = 9;

let first: DemoOutput;
let second: DemoOutput;

beforeAll(async () => {
  [first, second] = await Promise.all([runDemoFixture(), runDemoFixture()]);
});

function byTrace(output: DemoOutput): Map<string, LogLine[]> {
  return groupBy(output.summaries, (s) => String(s['trace_id']));
}

describe('demo log lines', () => {
  it("writes the guide's summary event fields on every slice", () => {
    expect(first.summaries.length).toBeGreaterThanOrEqual(DEFAULT_EXECUTIONS);
    for (const s of first.summaries) {
      expect(s['level']).toBe(30);
      expect(typeof s['time']).toBe('string');
      expect(new Date(String(s['time'])).toISOString()).toBe(s['time']);
      expect(s['trace_id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(['success', 'error', 'skipped']).toContain(s['outcome']);
      expect(s['msg']).toBe(`[event] ${String(s['event'])} -> ${String(s['outcome'])}`);
      expect(typeof s['final_status']).toBe('string');
      expect(typeof s['duration_ms']).toBe('number');
      const context = s['context'] as Record<string, unknown>;
      expect(context['trace_id']).toBe(s['trace_id']);
      expect(['core', 'orchestrator', 'worker']).toContain(context['component']);
      for (const status of Object.values(s['steps'] as Record<string, unknown>))
        expect(['ok', 'error', '-']).toContain(status);
      if (s['outcome'] === 'error')
        expect(s['error']).toMatchObject({ type: expect.any(String), message: expect.any(String) });
      else expect(s['error']).toBeNull();
    }
  });

  it('validates every summary event against schema/summary-event.schema.json', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
    for (const s of first.summaries) {
      const ok = validate(s);
      expect(ok ? [] : validate.errors).toEqual([]);
    }
  });

  it("passes the contract's own validator: every line is a summary event or a step-level line of an execution", () => {
    for (const lines of Object.values(first.logLines)) {
      for (const line of lines) {
        const parsed = parseLogLine(JSON.stringify(line));
        expect(['summary', 'log']).toContain(parsed.kind);
        if (parsed.kind === 'summary') expect(validateSummaryEvent(line)).toMatchObject({ ok: true });
      }
    }
  });

  it("writes every log line as one JSON object with the service's fields (the service's own stdout)", () => {
    for (const [component, lines] of Object.entries(first.logLines)) {
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line['level']).toBe(30);
        expect(line['trace_id']).toBeTypeOf('string');
        expect((line['context'] as Record<string, unknown>)['component']).toBe(component);
      }
    }
  });
});

describe('demo executions', () => {
  it('runs one trace per execution, and the three slices of an implementation share its trace id', () => {
    const traces = byTrace(first);
    expect(traces.size).toBe(DEFAULT_EXECUTIONS);
    const implementations = [...traces.values()].filter((rows) => /implementation$/.test(String(rows[0]!['event'])));
    expect(implementations.length).toBeGreaterThanOrEqual(3);
    for (const rows of implementations) {
      const components = new Set(rows.map((r) => (r['context'] as Record<string, unknown>)['component']));
      expect([...components].sort()).toEqual(['core', 'orchestrator', 'worker']);
      expect(new Set(rows.map((r) => r['event'])).size).toBe(1);
    }
  });

  it('shows the outcome mix: success, error, skipped, slot contention then a retry that succeeds', () => {
    const outcomes = new Set(first.summaries.map((s) => s['outcome']));
    expect([...outcomes].sort()).toEqual(['error', 'skipped', 'success']);
    const contended = [...byTrace(first).values()].find((rows) =>
      rows.some((r) => r['final_status'] === 'slot_unavailable'),
    );
    expect(contended).toBeDefined();
    const orchestratorRows = contended!.filter(
      (r) => (r['context'] as Record<string, unknown>)['component'] === 'orchestrator',
    );
    expect(orchestratorRows.map((r) => [r['outcome'], r['final_status']])).toEqual([
      ['skipped', 'slot_unavailable'],
      ['success', 'task_launched'],
    ]);
    expect(orchestratorRows[0]!['steps']).toEqual({ receive: 'ok', acquire_slot: 'ok', launch_task: '-' });
    const workerRow = contended!.find((r) => (r['context'] as Record<string, unknown>)['component'] === 'worker');
    expect(workerRow?.['outcome']).toBe('success');
  });

  it('shows a failed step leaving later declared steps "-" and a redacted error message', () => {
    const failed = first.summaries.find((s) => s['final_status'] === 'push_failed');
    expect(failed).toBeDefined();
    expect(failed!['steps']).toEqual({
      clone_repo: 'ok',
      run_agent: 'ok',
      push_branch: 'error',
      open_pull_request: '-',
    });
    const error = failed!['error'] as { type: string; message: string };
    expect(error.type).toBe('GitPushError');
    expect(error.message).toContain('Authentication failed');
    // The worker threw a message with a GitHub token in it; no file the demo wrote may hold it.
    expect(error.message).not.toMatch(/ghp_[A-Za-z0-9]{36}/);
    expect(first.allText).not.toMatch(/ghp_[A-Za-z0-9]{36}/);
  });

  it("carries the guide's domain fields", () => {
    const worker = first.summaries.find((s) => s['final_status'] === 'pr_opened')!;
    expect(worker['repo']).toMatchObject({ full_name: expect.stringMatching(/^acme\//), base_ref: 'main' });
    expect(worker['agent']).toMatchObject({ provider: expect.any(String), model: expect.any(String) });
    expect(worker['pull_request']).toMatchObject({
      url: expect.stringContaining('/pull/'),
      number: expect.any(Number),
    });
    const slackCore = first.summaries.find((s) => s['event'] === 'slack.implementation')!;
    expect((slackCore['slack'] as Record<string, unknown>)['user_id']).toMatch(/^U[A-Z0-9]+$/);
  });
});

describe('demo hand-over shapes', () => {
  it('hands core → orchestrator over as SQS messages with traceparent and trace_id attributes', () => {
    const lines = readFileSync(join(first.dir, 'handoff', 'sqs-orchestrator.ndjson'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const m = JSON.parse(line) as {
        MessageId: string;
        Body: string;
        MessageAttributes: Record<string, { DataType: string; StringValue: string }>;
      };
      expect(m.MessageId).toBeTypeOf('string');
      expect(JSON.parse(m.Body)).toMatchObject({ task_id: expect.any(String), event: expect.any(String) });
      expect(m.MessageAttributes['traceparent']).toMatchObject({
        DataType: 'String',
        StringValue: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/),
      });
      const traceId = m.MessageAttributes['trace_id']!.StringValue;
      expect(m.MessageAttributes['traceparent']!.StringValue.slice(3, 35)).toBe(traceHex(traceId));
      expect(Object.keys(m.MessageAttributes).length).toBeLessThanOrEqual(10);
    }
  });

  it('hands orchestrator → worker over as a JSON payload with trace_id and traceparent fields', () => {
    const lines = readFileSync(join(first.dir, 'handoff', 'redis-worker.ndjson'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const p = JSON.parse(line) as Record<string, string>;
      expect(p['traceparent']!.slice(3, 35)).toBe(traceHex(p['trace_id']!));
    }
  });
});

describe('demo spans', () => {
  function spanTrees(spans: readonly SpanRecord[]): Map<string, SpanRecord[]> {
    return groupBy(spans, (s) => s.traceId);
  }

  it("form one tree per execution, rooted at core's slice, with no orphan parents", () => {
    const trees = spanTrees(first.spans);
    expect(trees.size).toBe(DEFAULT_EXECUTIONS);
    for (const [traceId, spans] of trees) {
      const ids = new Set(spans.map((s) => s.spanId));
      expect(ids.size).toBe(spans.length);
      const roots = spans.filter((s) => !s.parentSpanId);
      expect(roots).toHaveLength(1);
      expect(roots[0]!.resource['service.name']).toBe('alakai-core');
      for (const s of spans)
        if (s.parentSpanId) expect(ids.has(s.parentSpanId), `${s.name} has its parent in the trace`).toBe(true);
      // The root's trace id is the summary events' trace_id UUID.
      expect(
        byTrace(first).has(
          `${traceId.slice(0, 8)}-${traceId.slice(8, 12)}-${traceId.slice(12, 16)}-${traceId.slice(16, 20)}-${traceId.slice(20)}`,
        ),
      ).toBe(true);
    }
  });

  it("put every component's slices into the trace of its execution", () => {
    const services = new Set(first.spans.map((s) => s.resource['service.name']));
    expect([...services].sort()).toEqual(['alakai-core', 'alakai-orchestrator', 'alakai-worker-implementation']);
  });
});

describe('demo determinism', () => {
  /** A summary event without what may differ between runs: ids and clock times. */
  function stable(s: LogLine): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) {
      if (['time', 'trace_id', 'duration_ms', 'span_id', 'parent_span_id', 'otel', 'pid', 'hostname'].includes(k))
        continue;
      out[k] = k === 'context' ? { ...(v as object), trace_id: '*' } : v;
    }
    return out;
  }

  it('gives the same executions, outcomes and field values for the same seed', () => {
    expect(second.summaries.map(stable)).toEqual(first.summaries.map(stable));
    expect(new Set(second.summaries.map((s) => s['trace_id']))).not.toEqual(
      new Set(first.summaries.map((s) => s['trace_id'])),
    );
  });

  it('gives the same trace shapes for the same seed: span names, kinds, statuses and tree', () => {
    /** Each trace as an indented outline, traces in the order of their root's start. */
    function outlines(output: DemoOutput): string[] {
      return [...groupBy(output.spans, (s) => s.traceId).values()]
        .map((spans) => {
          const children = groupBy(spans, (s) => s.parentSpanId ?? '');
          const lines: string[] = [];
          const walk = (parent: string, depth: number): void => {
            const list = [...(children.get(parent) ?? [])].sort((a, b) =>
              a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1,
            );
            for (const s of list) {
              lines.push(
                `${'  '.repeat(depth)}${s.name} kind=${s.kind} status=${s.status.code} ${String(s.attributes['alakai.final_status'] ?? '')}`,
              );
              walk(s.spanId, depth + 1);
            }
          };
          walk('', 0);
          return { start: spans.find((s) => !s.parentSpanId)!.startTimeUnixNano, text: lines.join('\n') };
        })
        .sort((a, b) => (a.start < b.start ? -1 : 1))
        .map((t) => t.text);
    }
    expect(outlines(second)).toEqual(outlines(first));
  });

  it('gives other field values for another seed', async () => {
    const other = await runDemoFixture(['--seed', '7', '--executions', '3']);
    const repos = (o: DemoOutput) => o.summaries.slice(0, 3).map((s) => JSON.stringify([s['repo'], s['task']]));
    expect(repos(other)).not.toEqual(repos(first));
  });
});
