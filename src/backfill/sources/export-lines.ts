/**
 * The lines of a CloudWatch Logs export (`CreateExportTask`): each object holds one
 * `<timestamp> <message>` per line, the timestamp in ISO 8601 (`2026-12-01T10:00:00.123Z`) or,
 * from some tools, epoch milliseconds.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/S3Export.html
 *
 * Line input takes them as it takes NDJSON: a line that starts with such a timestamp, one space
 * and a JSON object is the object. No mode is detected or remembered, so a plain file resumed at a
 * byte offset reads its lines exactly as the first run did, and an NDJSON line (which starts with
 * `{`) costs one character test.
 */

/** ISO 8601 with a zone, or 12–13 digits of epoch ms; then the one space the export writes. Linear (no nested quantifiers). */
const EXPORT_PREFIX = /^(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})|\d{12,13}) (?=\{)/;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** The line without an export's timestamp prefix (the line itself when it has none). */
export function withoutExportTimestamp(line: string): string {
  const c = line.charCodeAt(0);
  if (c < DIGIT_0 || c > DIGIT_9) return line;
  const m = EXPORT_PREFIX.exec(line);
  return m ? line.slice(m[0].length) : line;
}
