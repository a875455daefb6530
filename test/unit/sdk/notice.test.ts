/** noticeOnce: once per key, one line on stderr and diag; OTEL_LOG_LEVEL honoured as the OTel SDK does. */
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { noticeOnce, shownValue } from '../../../src/sdk/notice.js';
import { otelLogLevel } from '../../../src/sdk/otel-log-level.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  diag.disable();
});

function stderrLines(): string[] {
  const calls: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    calls.push(String(chunk));
    return true;
  });
  return calls;
}

describe('OTEL_LOG_LEVEL', () => {
  it('is read case-insensitively; blank is unset; anything else is unknown, meaning INFO', () => {
    expect(otelLogLevel({})).toEqual({ kind: 'unset' });
    expect(otelLogLevel({ OTEL_LOG_LEVEL: '  ' })).toEqual({ kind: 'unset' });
    expect(otelLogLevel({ OTEL_LOG_LEVEL: 'debug' })).toEqual({
      kind: 'level',
      level: DiagLogLevel.DEBUG,
      name: 'DEBUG',
    });
    expect(otelLogLevel({ OTEL_LOG_LEVEL: 'None' })).toEqual({ kind: 'level', level: DiagLogLevel.NONE, name: 'NONE' });
    expect(otelLogLevel({ OTEL_LOG_LEVEL: '50' })).toEqual({ kind: 'unknown', level: DiagLogLevel.INFO, raw: '50' });
  });
});

describe('noticeOnce', () => {
  it('says a key once: one stderr line and one diag warning', () => {
    const lines = stderrLines();
    const warn = vi.fn();
    diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() }, DiagLogLevel.WARN);
    noticeOnce('test:once', 'first\nsecond');
    noticeOnce('test:once', 'again');
    expect(lines).toEqual(['alakai-otel: first second\n']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith('alakai-otel: first second');
  });

  for (const level of ['none', 'ERROR']) {
    it(`OTEL_LOG_LEVEL=${level}: no stderr line`, () => {
      vi.stubEnv('OTEL_LOG_LEVEL', level);
      const lines = stderrLines();
      noticeOnce(`test:${level}`, 'hidden');
      expect(lines).toEqual([]);
    });
  }

  for (const level of ['warn', 'info', 'all', 'bogus']) {
    it(`OTEL_LOG_LEVEL=${level}: the line is written`, () => {
      vi.stubEnv('OTEL_LOG_LEVEL', level);
      const lines = stderrLines();
      noticeOnce(`test:${level}`, 'shown');
      expect(lines).toEqual(['alakai-otel: shown\n']);
    });
  }

  it('never throws, even when stderr does', () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => {
      throw new Error('EPIPE');
    });
    expect(() => noticeOnce('test:throws', 'x')).not.toThrow();
  });

  it('shows values quoted, escaped and short', () => {
    expect(shownValue('wro\nker')).toBe('"wro\\nker"');
    expect(shownValue('x'.repeat(100))).toBe(`"${'x'.repeat(64)}…"`);
  });
});
