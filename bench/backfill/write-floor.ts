/**
 * The floor the backfill target of issue 12 is measured against: stream the file, JSON.parse each
 * line, and for each summary event JSON.stringify and write one span-sized object — an OTLP/JSON
 * request holding one span, with the event's fields as attributes (nested objects one level deep,
 * as the bridge flattens the guide's domain fields) — and nothing else: no validation, no trace
 * assembly, no step lines attached, no content-derived ids. Every converter that reads each line
 * and writes a span per event does at least this much; the backfill's time divided by the floor's
 * is what the rest of its work costs.
 *
 * Usage: node bench/.build/bench/backfill/write-floor.js --input F --output F --report F
 */
import { createReadStream, createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

type OtlpValue = { stringValue: string } | { intValue: string } | { boolValue: boolean };

function otlpValue(value: unknown): OtlpValue {
  if (typeof value === 'number' && Number.isInteger(value)) return { intValue: String(value) };
  if (typeof value === 'boolean') return { boolValue: value };
  return { stringValue: typeof value === 'string' ? value : JSON.stringify(value) };
}

/** The event's fields as OTLP attributes: objects one level deep (`alakai.repo.full_name`), the rest as they are. */
function attributesOf(event: Record<string, unknown>): { key: string; value: OtlpValue }[] {
  const out: { key: string; value: OtlpValue }[] = [];
  for (const key of Object.keys(event)) {
    if (key === 'msg' || key === 'time' || key === 'level') continue;
    const value = event[key];
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const inner = value as Record<string, unknown>;
      for (const sub of Object.keys(inner)) out.push({ key: `alakai.${key}.${sub}`, value: otlpValue(inner[sub]) });
    } else {
      out.push({ key: `alakai.${key}`, value: otlpValue(value) });
    }
  }
  return out;
}

/** One span-sized object per summary event: the shape the bridge writes, filled without deriving anything. */
function spanRequest(event: Record<string, unknown>): unknown {
  const traceId = String(event['trace_id']).replaceAll('-', '');
  const endMs = Date.parse(String(event['time']));
  const durationMs = typeof event['duration_ms'] === 'number' ? event['duration_ms'] : 0;
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: String(event['service']) } },
            { key: 'alakai.component', value: { stringValue: String(event['component']) } },
          ],
        },
        scopeSpans: [
          {
            scope: { name: 'alakai-otel' },
            spans: [
              {
                traceId,
                spanId: traceId.slice(0, 16),
                name: String(event['event']),
                kind: 2,
                startTimeUnixNano: `${endMs - Math.round(durationMs)}000000`,
                endTimeUnixNano: `${endMs}000000`,
                attributes: attributesOf(event),
                events: [],
                status: { code: event['error'] ? 2 : 0 },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** Writes through a buffered stream, waiting when it asks to (as the backfill's file sink does). */
async function writeChunk(out: WriteStream, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

async function main(argv: string[]): Promise<number> {
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const input = flag('--input');
  const output = flag('--output');
  const report = flag('--report');
  if (!input || !output) return 2;
  const out = createWriteStream(output);
  let lines = 0;
  let summaryEvents = 0;
  let pending: string[] = [];
  let pendingChars = 0;
  for await (const line of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
    lines++;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // counted as a line only
    }
    if (typeof obj['msg'] !== 'string' || !obj['msg'].startsWith('[event] ')) continue;
    summaryEvents++;
    const text = JSON.stringify(spanRequest(obj)) + '\n';
    pending.push(text);
    pendingChars += text.length;
    // About 1 MiB per write, like the file sink's buffers: not one syscall per line.
    if (pendingChars >= 1 << 20) {
      await writeChunk(out, pending.join(''));
      pending = [];
      pendingChars = 0;
    }
  }
  if (pending.length > 0) await writeChunk(out, pending.join(''));
  out.end();
  await once(out, 'finish');
  // `spansWritten` mirrors the converters' report key so the harness's completeness check applies.
  if (report)
    writeFileSync(report, JSON.stringify({ linesRead: lines, summaryEvents, spansWritten: summaryEvents }) + '\n');
  return 0;
}

void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
