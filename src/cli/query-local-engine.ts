/**
 * The local query engine over files: every record `backfill --input` reads (NDJSON, the aws CLI's
 * JSON, gzip, stdin, and `s3://bucket/prefix`: CreateExportTask objects and Firehose deliveries),
 * each one a log event. A time window keeps the events whose @timestamp lies in [start, end), as
 * StartQuery's startTime/endTime do; events without a time are then left out.
 */
import { inputSources, type InputChoice } from '../backfill/sources/open-sources.js';
import { compileQuery, type QueryResult } from '../query/engine.js';
import { eventFromLine } from '../query/event.js';
import { parseQuery } from '../query/parse.js';
import type { QueryEngine, TimeWindow } from '../query/query-engine.js';

export function localFileEngine(inputs: readonly string[], choice: InputChoice = {}): QueryEngine {
  return {
    name: 'local',
    async run(queryText: string, window: TimeWindow | undefined): Promise<QueryResult> {
      // Refusals come before any file is opened or any bucket listed.
      const run = compileQuery(parseQuery(queryText)).start();
      const { sources } = await inputSources(inputs, choice);
      for (const named of sources) {
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
