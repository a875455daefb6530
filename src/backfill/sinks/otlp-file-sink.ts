/**
 * OTLP/JSON lines: one ExportTraceServiceRequest per line per trace — the Collector `file`
 * exporter's format, replayable with its `otlpjsonfile` receiver
 * (https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/receiver/otlpjsonfilereceiver).
 * One line per trace keeps the bytes a function of the trace alone, so a resumed run writes the
 * same file as a clean one. Writes are batched (one syscall per ~1 MiB), and `flush` reports the
 * byte length the checkpoint records; resuming truncates back to it.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { encodeOtlpJsonLine } from '../../contract/otlp-json.js';
import type { SpanRecord } from '../../contract/span-record.js';
import { SourceUserError } from '../source-types.js';
import type { SpanSink } from './span-sink.js';

const WRITE_BATCH_BYTES = 1024 * 1024;

export class OtlpFileSink implements SpanSink {
  spansWritten = 0;
  private pending: string[] = [];
  private pendingChars = 0;
  private pendingSpans = 0;
  private bytes: number;

  private constructor(
    private readonly handle: FileHandle,
    startBytes: number,
    spansBefore: number,
  ) {
    this.bytes = startBytes;
    this.spansWritten = spansBefore;
  }

  /** Opens `path` fresh, or — resuming — cut back to `resumeBytes` (what the checkpoint saw flushed). */
  static async open(path: string, resume?: { bytes: number; spans: number }): Promise<OtlpFileSink> {
    try {
      if (resume) {
        const handle = await open(path, 'r+').catch(async (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT' && resume.bytes === 0) return open(path, 'w');
          throw err;
        });
        const { size } = await handle.stat();
        if (size < resume.bytes) {
          await handle.close();
          throw new SourceUserError(`cannot resume: ${path} is shorter (${size} bytes) than the checkpoint recorded (${resume.bytes})`);
        }
        await handle.truncate(resume.bytes);
        return new OtlpFileSink(handle, resume.bytes, resume.spans);
      }
      return new OtlpFileSink(await open(path, 'w'), 0, 0);
    } catch (err) {
      if (err instanceof SourceUserError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new SourceUserError(`cannot write ${path}: ${code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : code ?? String(err)}`);
    }
  }

  async write(spans: SpanRecord[]): Promise<void> {
    if (spans.length === 0) return;
    const line = encodeOtlpJsonLine(spans) + '\n';
    this.pending.push(line);
    this.pendingChars += line.length;
    this.pendingSpans += spans.length;
    if (this.pendingChars >= WRITE_BATCH_BYTES) await this.drain();
  }

  private async drain(): Promise<void> {
    if (this.pending.length === 0) return;
    const buffer = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    let off = 0;
    while (off < buffer.length) {
      const { bytesWritten } = await this.handle.write(buffer, off, buffer.length - off, this.bytes + off);
      off += bytesWritten;
    }
    this.bytes += buffer.length;
    this.spansWritten += this.pendingSpans;
    this.pendingSpans = 0;
  }

  async flush(): Promise<{ outputBytes: number }> {
    await this.drain();
    // Durable before the checkpoint that points past it (a kill needs no sync; a power cut does).
    await this.handle.datasync();
    return { outputBytes: this.bytes };
  }

  async close(): Promise<void> {
    await this.drain();
    await this.handle.close();
  }
}
