/**
 * Decoded bytes → log line records, for every input format `--input` reads (local files, stdin,
 * S3 objects), told apart from the first bytes:
 *  - a CloudWatch Logs subscription envelope (`{"messageType"…`): a sequence of envelopes, as
 *    Firehose writes them (aws-cli-json.ts);
 *  - an aws CLI document (filter-log-events, get-query-results, a `--query` array);
 *  - anything else is lines: NDJSON as the services print it, Firehose's extracted messages one
 *    per line, or an export task's `<timestamp> <message>` lines (export-lines.ts).
 * Streamed: lines and elements are bounded, nothing else is held. A gzip stream that turns out
 * damaged or hostile (inflate.ts), or an envelope that is not JSON, ends the input with one
 * counted reject after the records before it; an aws CLI document that is not JSON is a user
 * error (one line, exit 2), since the whole file is then unusable.
 */
import { SourceUserError, type SourceRecord } from '../source-types.js';
import { AwsCliRecords, looksLikeAwsCliJson, looksLikeEnvelopes } from './aws-cli-json.js';
import { AwsJsonScanner, AwsJsonSyntaxError, type ScannedItem } from './aws-json-scanner.js';
import { withoutExportTimestamp } from './export-lines.js';
import { InflateReject } from './inflate.js';
import { LineSplitter, type SplitLine } from './line-splitter.js';

export interface RecordStreamOptions {
  /** The input's name in messages (`events.json`, `s3://bucket/key`). */
  name: string;
  maxLineBytes: number;
  awsElementMaxBytes: number;
  onPartial?: (message: string) => void;
  /** Where the format names a line's log group: only these groups (`--log-group`). */
  logGroups?: ReadonlySet<string>;
  /** The bytes start at this offset of a plain input reopened at a line (so they are lines). */
  startOffset?: number;
}

/** A record, with the byte offset of its line for line input (undefined for documents). */
export type StreamRecord = SourceRecord & { offset?: number };

type Mode = 'unknown' | 'lines' | 'aws' | 'envelopes';

export class RecordStream {
  private mode: Mode;
  private readonly splitter: LineSplitter;
  private scanner: AwsJsonScanner | undefined;
  private awsRecords: AwsCliRecords | undefined;
  private ended = false;

  constructor(
    private readonly chunks: AsyncIterator<Buffer>,
    private readonly options: RecordStreamOptions,
  ) {
    this.mode = options.startOffset !== undefined ? 'lines' : 'unknown';
    this.splitter = new LineSplitter(options.maxLineBytes, options.startOffset ?? 0);
  }

  /** Line input: each record's offset is where its line starts (a plain input can be reopened there). */
  get isLines(): boolean {
    return this.mode === 'lines';
  }

  /** The records the next chunk completes (possibly none); undefined once the input is over. */
  async read(): Promise<StreamRecord[] | undefined> {
    if (this.ended) return undefined;
    let chunk: Buffer | undefined;
    let reject: string | undefined;
    try {
      const r = await this.chunks.next();
      chunk = r.done ? undefined : r.value;
    } catch (err) {
      if (!(err instanceof InflateReject)) throw err;
      reject = err.reason;
    }
    if (this.mode === 'unknown') {
      if (!chunk) {
        this.ended = true;
        return reject ? [{ text: undefined, readError: reject }] : undefined;
      }
      this.detect(chunk);
      // A byte-order mark is not JSON; the CLI does not write one, editors sometimes do.
      if ((this.mode as Mode) !== 'lines' && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf)
        chunk = chunk.subarray(3);
    }
    const out: StreamRecord[] = [];
    if (this.mode === 'lines') this.lines(chunk, reject !== undefined, out);
    else this.documents(chunk, reject !== undefined, out);
    if (reject) out.push({ text: undefined, readError: reject });
    if (!chunk) this.ended = true;
    return out;
  }

  private detect(chunk: Buffer): void {
    const head = chunk.toString('utf8', 0, Math.min(chunk.length, 4096));
    if (looksLikeEnvelopes(head)) this.mode = 'envelopes';
    else if (looksLikeAwsCliJson(head)) this.mode = 'aws';
    else {
      this.mode = 'lines';
      return;
    }
    this.scanner = new AwsJsonScanner(this.options.awsElementMaxBytes, this.mode === 'envelopes');
    this.awsRecords = new AwsCliRecords({
      name: this.options.name,
      maxLineBytes: this.options.maxLineBytes,
      ...(this.options.onPartial ? { onPartial: this.options.onPartial } : {}),
      ...(this.options.logGroups ? { logGroups: this.options.logGroups } : {}),
    });
  }

  private lines(chunk: Buffer | undefined, damaged: boolean, out: StreamRecord[]): void {
    const lines: SplitLine[] = [];
    if (chunk) this.splitter.push(chunk, lines);
    // After damage the unfinished tail is not a line: it was cut by the damage, not by its writer.
    else if (!damaged) this.splitter.end(lines);
    for (const line of lines) {
      if (line.text !== undefined) line.text = withoutExportTimestamp(line.text);
      out.push(line);
    }
  }

  private documents(chunk: Buffer | undefined, damaged: boolean, out: StreamRecord[]): void {
    const items: ScannedItem[] = [];
    const envelopes = this.mode === 'envelopes';
    try {
      if (chunk) this.scanner!.push(chunk, items);
      else if (!damaged) this.scanner!.end();
    } catch (err) {
      if (!(err instanceof AwsJsonSyntaxError)) throw err;
      if (!envelopes)
        throw new SourceUserError(
          `${this.options.name} is not valid JSON: it ${err.message} (neither NDJSON log lines nor aws CLI output)`,
        );
      // An envelope that is not JSON: the events before it stand, the rest of the input is one reject.
      this.awsRecords!.add(items, out);
      out.push({ text: undefined, readError: 'bad_envelope' });
      this.ended = true;
      return;
    }
    this.awsRecords!.add(items, out);
    if (!chunk && !damaged && !envelopes) this.awsRecords!.finish();
  }
}
