/**
 * The one fixture factory of the backfill tests: generated log sets written to a fresh temporary
 * folder, the backfill run in-process on them, and its output read back as spans.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fromOtlpRequest } from '../../../src/contract/otlp-json.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';
import type { BackfillReport } from '../../../src/backfill/report.js';
import { runBackfill, type BackfillRunOptions } from '../../../src/backfill/run-backfill.js';
import { OtlpFileSink } from '../../../src/backfill/sinks/otlp-file-sink.js';
import { fileSources } from '../../../src/backfill/sources/open-sources.js';
import {
  generateFixtureSet,
  writeAwsCliFiles,
  writeNdjsonFiles,
  type FixtureOptions,
  type FixtureSet,
} from '../../fixtures/backfill/generate-fixtures.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const CLI = join(REPO_ROOT, 'bin', 'alakai-otel.js');

export async function tempDir(prefix = 'alakai-backfill-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface WrittenFixture {
  set: FixtureSet;
  dir: string;
  ndjson: string[];
  awsJson: string[];
}

export async function writtenFixture(options: FixtureOptions = {}): Promise<WrittenFixture> {
  const set = generateFixtureSet(options);
  const dir = await tempDir();
  return {
    set,
    dir,
    ndjson: await writeNdjsonFiles(set, join(dir, 'ndjson')),
    awsJson: await writeAwsCliFiles(set, join(dir, 'aws')),
  };
}

export interface BackfillResult {
  report: BackfillReport;
  outputText: string;
  spans: SpanRecord[];
  /** Spans grouped by the output line (one line per trace). */
  traces: SpanRecord[][];
}

export function readSpans(text: string): { spans: SpanRecord[]; traces: SpanRecord[][] } {
  const traces = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => fromOtlpRequest(l));
  return { spans: traces.flat(), traces };
}

/** Runs the backfill of `inputs` into a fresh OTLP/JSON lines file. */
export async function backfillFiles(
  inputs: string[],
  extra: Partial<BackfillRunOptions> = {},
  chunkBytes?: number,
): Promise<BackfillResult> {
  const out = join(await tempDir('alakai-backfill-out-'), 'spans.otlp.jsonl');
  const report = await runBackfill({
    sources: fileSources(inputs, chunkBytes === undefined ? {} : { chunkBytes }),
    openSink: (resume) => OtlpFileSink.open(out, resume),
    outputName: out,
    fingerprint: 'test',
    ...extra,
  });
  const outputText = await readFile(out, 'utf8');
  return { report, outputText, ...readSpans(outputText) };
}

/** Where in a run to SIGKILL, as fractions of a clean run's length: seeded, so a failure can be replayed. */
export function killFractions(seed: number, n: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  });
}
