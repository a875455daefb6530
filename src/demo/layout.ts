/** Where the demo writes what, in one place (the parent, the components and the docs agree on it). */
import { join } from 'node:path';
import type { Component } from '../contract/summary-event.js';

export interface DemoLayout {
  outDir: string;
  logsDir: string;
  /** `logs/<component>.ndjson`: each component's stdout, exactly as the service printed it. */
  logFiles: Record<Component, string>;
  /** OTLP/JSON, one export request per line (the Collector file exporter's format). */
  spansFile: string;
  /**
   * What each component's exporter wrote, `spans/<component>.otlp.jsonl`: the three run at once,
   * and separate files mean no two processes ever append to one file. The parent concatenates
   * them into spansFile.
   */
  componentSpansFiles: Record<Component, string>;
  /** Local stand-ins for SQS and Redis: NDJSON, one message or payload per line. */
  handoffDir: string;
  sqsSpool: string;
  redisSpool: string;
}

export function demoLayout(outDir: string): DemoLayout {
  const logsDir = join(outDir, 'logs');
  const handoffDir = join(outDir, 'handoff');
  return {
    outDir,
    logsDir,
    logFiles: {
      core: join(logsDir, 'core.ndjson'),
      orchestrator: join(logsDir, 'orchestrator.ndjson'),
      worker: join(logsDir, 'worker.ndjson'),
    },
    spansFile: join(outDir, 'spans.otlp.jsonl'),
    componentSpansFiles: {
      core: join(outDir, 'spans', 'core.otlp.jsonl'),
      orchestrator: join(outDir, 'spans', 'orchestrator.otlp.jsonl'),
      worker: join(outDir, 'spans', 'worker.otlp.jsonl'),
    },
    handoffDir,
    sqsSpool: join(handoffDir, 'sqs-orchestrator.ndjson'),
    redisSpool: join(handoffDir, 'redis-worker.ndjson'),
  };
}
