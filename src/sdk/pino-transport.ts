/**
 * `alakai-otel/pino-transport`: a pino transport target, for services that prefer configuration
 * to the register entry's zero-code mode. Beside the usual destination:
 *
 *   pino(pino.transport({ targets: [
 *     { target: 'alakai-otel/pino-transport', options: { url: 'http://collector:4318/v1/traces' } },
 *     { target: 'pino/file', options: { destination: 1 } },
 *   ] }))
 *
 * It runs in pino's worker thread (https://getpino.io/#/docs/transports): every line goes to the
 * same streaming converter as zero-code mode and `live` (converter/span-converter.ts:
 * parseLogLine, summaryLineToSpans, one bounded queue), whose destination is the OTLP/HTTP
 * exporter's bounded, counting batch queue. Other lines are ignored; the stdout target writes
 * every line unchanged.
 *
 * At exit pino ends the transport and waits for the worker (thread-stream gives it up to 10 s);
 * pino-abstract-transport then calls `close`, which exports what is queued within `timeoutMs`
 * (https://github.com/pinojs/pino-abstract-transport#readme, `close(err, cb)`, "can also return a
 * promise"). Losses and "nothing to convert" are said once on stderr.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import build from 'pino-abstract-transport';
import { withinTimeout } from './bounded.js';
import { SUMMARY_MARKER } from './converter/span-converter.js';
import { CountingBatchProcessor } from './export-processor.js';
import { noticeOnce } from './notice.js';
import { StatsCounter } from './stats.js';
import { ZeroCodeConverter } from './zero-code.js';

export interface AlakaiPinoTransportOptions {
  /** Full OTLP/HTTP traces URL (…/v1/traces). Default: OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, as the exporter reads them. */
  url?: string;
  /** Base OTLP/HTTP endpoint, like OTEL_EXPORTER_OTLP_ENDPOINT: `/v1/traces` is appended. */
  endpoint?: string;
  /** Extra HTTP headers of the export requests. */
  headers?: Record<string, string>;
  /**
   * `service` / `component` for lines that carry none (a line's own value is never replaced).
   * Without them such a line is not a valid summary event, and the backfill refuses it too.
   */
  service?: string;
  component?: string;
  /** Bound on the export at close; default 5 000 ms, under thread-stream's 10 s wait at exit. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;

function tracesUrl(options: AlakaiPinoTransportOptions): string | undefined {
  if (options.url) return options.url;
  if (!options.endpoint) return undefined;
  let base = options.endpoint;
  while (base.endsWith('/')) base = base.slice(0, -1);
  return base + '/v1/traces';
}

/** Adds the configured service/component to a line that lacks them; anything else is left as is. */
function withDefaults(line: string, options: AlakaiPinoTransportOptions): string {
  if (options.service === undefined && options.component === undefined) return line;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return line;
  const fields = record as Record<string, unknown>;
  let changed = false;
  if (options.service !== undefined && !Object.hasOwn(fields, 'service')) {
    fields['service'] = options.service;
    changed = true;
  }
  if (options.component !== undefined && !Object.hasOwn(fields, 'component')) {
    fields['component'] = options.component;
    changed = true;
  }
  return changed ? JSON.stringify(fields) : line;
}

export default async function alakaiPinoTransport(options: AlakaiPinoTransportOptions = {}) {
  const stats = new StatsCounter();
  const url = tracesUrl(options);
  const exporter = new OTLPTraceExporter({
    ...(url ? { url } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const path = new CountingBatchProcessor(exporter, stats);
  // In pino's worker thread parsing at once costs the service nothing: `parse: 'now'`.
  const converter = new ZeroCodeConverter([path], stats, { parse: 'now' });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return build(
    async (source: AsyncIterable<string>) => {
      for await (const line of source)
        converter.feedLine(line.includes(SUMMARY_MARKER) ? withDefaults(line, options) : line);
    },
    {
      parse: 'lines',
      // The lines are parsed by parseLogLine, with its size and hostile-key checks; the default
      // JSON.parse of every line would only be thrown away.
      parseLine: () => ({}),
      async close() {
        converter.close();
        if ((await withinTimeout(path.shutdown(), timeoutMs)) === 'timeout') {
          noticeOnce('pino-transport-timeout', `pino transport: export did not finish within ${timeoutMs} ms at exit`);
        }
        path.abandonPending();
        const { spansDropped, exportFailures } = stats.snapshot();
        if (spansDropped > 0)
          noticeOnce(
            'pino-transport-dropped',
            `pino transport: ${spansDropped} spans were not exported (${exportFailures} failed exports)`,
          );
      },
    },
  );
}
