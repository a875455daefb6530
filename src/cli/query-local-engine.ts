/**
 * The local query engine over files: every record `backfill --input` reads (NDJSON, the aws CLI's
 * JSON, gzip, stdin), each one a log event. A time window keeps the events whose @timestamp lies
 * in [start, end), as StartQuery's startTime/endTime do; events without a time are then left out.
 */
import { fileSources } from '../backfill/sources/open-sources.js';
import type { FileSourceOptions } from '../backfill/sources/file-source.js';
import { compileQuery, type QueryResult } from '../query/engine.js';
import { eventFromLine } from '../query/event.js';
import { parseQuery } from '../query/parse.js';
import type { QueryEngine, TimeWindow } from '../query/query-engine.js';

export function localFileEngine(inputs: readonly string[], options: FileSourceOptions = {}): QueryEngine {
  return {
    name: 'local',
    async run(queryText: string, window: TimeWindow | undefined): Promise<QueryResult> {
      // Refusals come before any file is opened.
      const run = compileQuery(parseQuery(queryText)).start();
      for (const named of fileSources(inputs, options)) {
        const source = await named.open();
        try {
          for (let batch = await source.next(); batch; batch = await source.next()) {
            for (const record of batch.records) {
              if (record.text === undefined) continue;
              const event = eventFromLine(record.text, record.timestampMs);
              if (window) {
                const ts = event.timestampMs;
                if (ts === undefined || ts < window.startMs || ts >= window.endMs) continue;
              }
              run.push(event);
            }
          }
        } finally {
          await source.close();
        }
      }
      return run.finish();
    },
  };
}
