/**
 * The floor under any converter that reads every line: stream the file and JSON.parse each line,
 * nothing else. Its events/s is a ceiling for the backfill on the same machine; the backfill's
 * figure divided by it shows how much of the budget the rest of the work takes.
 *
 * Usage: node bench/.build/bench/backfill/parse-floor.js --input F --output F --report F
 * (--output is accepted and left empty, so it runs under the same harness as the converters).
 */
import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

async function main(argv: string[]): Promise<number> {
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const input = flag('--input');
  const output = flag('--output');
  const report = flag('--report');
  if (!input) return 2;
  let lines = 0;
  let summaryEvents = 0;
  for await (const line of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
    lines++;
    try {
      const obj = JSON.parse(line) as { msg?: unknown };
      if (typeof obj.msg === 'string' && obj.msg.startsWith('[event] ')) summaryEvents++;
    } catch {
      // counted as a line only
    }
  }
  if (output) writeFileSync(output, '');
  // `spansWritten` mirrors the converters' report key so the harness's completeness check applies.
  if (report)
    writeFileSync(report, JSON.stringify({ linesRead: lines, summaryEvents, spansWritten: summaryEvents }) + '\n');
  return 0;
}

void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
