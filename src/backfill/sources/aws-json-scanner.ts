/**
 * A streaming scanner for the one-document JSON that the aws CLI prints: it finds the elements of
 * the document's record array and hands each over as its own small JSON text, so a multi-GB
 * `filter-log-events` dump is read in constant memory instead of being parsed whole.
 *
 * The shapes (aws-cli-json.ts says which is which):
 *   {"events": [ELEMENT, …], …other members}    filter-log-events
 *   {"results": [ELEMENT, …], …other members}   get-query-results
 *   [ELEMENT, …]                                 --query 'events[].message' and the like
 *   {"messageType", "logGroup", …, "logEvents": [ELEMENT, …]}{…}…
 *                                                CloudWatch Logs subscription envelopes, one after
 *                                                the other (`multiDocument`: Firehose concatenates them)
 * Other members of the root object (`NextToken`, `status`, `logGroup`, …) are handed over too, when small.
 *
 * It works on bytes: JSON's structural characters are ASCII and never occur inside a UTF-8
 * multi-byte sequence, so a chunk boundary anywhere is fine. Each element is bounded
 * (`maxElementBytes`): a larger one is skipped as it streams past and reported as oversized.
 * Elements are parsed with JSON.parse by the caller, which checks their own syntax; this scanner
 * checks the structure around them.
 */

/** Root-object members whose array holds the records. */
export const RECORD_ARRAYS: ReadonlySet<string> = new Set(['events', 'results', 'logEvents']);
const MAX_KEY_BYTES = 1024;
const MAX_MEMBER_BYTES = 64 * 1024;

export type ScannedItem =
  /** A root document begins (each of them, with `multiDocument`). */
  | { kind: 'document' }
  /** A record array opened (so `{"events": []}` is known to be filter-log-events output). */
  | { kind: 'array'; array: string }
  /** One element of the record array (`array` is the member that holds it, or 'root'). */
  | { kind: 'element'; array: string; json: string }
  | { kind: 'oversized'; array: string }
  /** A root-object member other than a record array; `json` is undefined when it was too large to keep. */
  | { kind: 'member'; key: string; json: string | undefined };

export class AwsJsonSyntaxError extends Error {
  override name = 'AwsJsonSyntaxError';
}

type Phase =
  | 'begin'
  | 'obj-key' // expecting a key or '}'
  | 'obj-colon'
  | 'obj-value'
  | 'obj-next' // expecting ',' or '}'
  | 'arr-value' // expecting an element or ']'
  | 'arr-next' // expecting ',' or ']'
  | 'capture'
  | 'end';

type Capturing = 'key' | 'member' | 'element';

const SPACE = 0x20,
  TAB = 0x09,
  LF = 0x0a,
  CR = 0x0d;
const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  COMMA = 0x2c,
  COLON = 0x3a;
const OPEN_OBJ = 0x7b,
  CLOSE_OBJ = 0x7d,
  OPEN_ARR = 0x5b,
  CLOSE_ARR = 0x5d;

function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

function startsValue(c: number): boolean {
  // { [ " - 0-9 t f n
  return (
    c === OPEN_OBJ ||
    c === OPEN_ARR ||
    c === QUOTE ||
    c === 0x2d ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x74 ||
    c === 0x66 ||
    c === 0x6e
  );
}

export class AwsJsonScanner {
  private phase: Phase = 'begin';
  private position = 0;
  /** Which array the elements belong to ('root' for a top-level array). */
  private array = 'root';
  private key: string | undefined;
  private sawMembers = false;
  private sawElements = false;
  // The value being captured.
  private capturing: Capturing = 'element';
  private valueKind: 'container' | 'string' | 'scalar' = 'scalar';
  private nesting = 0;
  private inString = false;
  private escaped = false;
  private parts: Buffer[] = [];
  private bytes = 0;
  private limit = 0;
  private overflow = false;
  private from = 0;

  /** `multiDocument`: root objects may follow one another (whitespace between them or none). */
  constructor(
    private readonly maxElementBytes: number,
    private readonly multiDocument = false,
  ) {}

  /** The items completed by `chunk`; throws AwsJsonSyntaxError when the structure is not JSON. */
  push(chunk: Buffer, out: ScannedItem[]): void {
    this.from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.phase === 'capture') {
        if (this.captureByte(chunk, i, c, out)) i--; // a scalar ended at c: c belongs to what follows
        continue;
      }
      if (isSpace(c)) continue;
      this.structural(i, c, out);
    }
    if (this.phase === 'capture') this.keep(chunk, chunk.length);
    this.position += chunk.length;
  }

  /** At the end of the input: the document must be complete. */
  end(): void {
    if (this.phase !== 'end')
      throw new AwsJsonSyntaxError(
        this.phase === 'begin' ? 'is empty' : `ends in the middle of the document (after ${this.position} bytes)`,
      );
  }

  private fail(at: number, what: string): never {
    throw new AwsJsonSyntaxError(`has ${what} at byte ${this.position + at}`);
  }

  private structural(i: number, c: number, out: ScannedItem[]): void {
    switch (this.phase) {
      case 'begin':
        if (c === OPEN_OBJ) {
          this.phase = 'obj-key';
          if (this.multiDocument) out.push({ kind: 'document' });
        } else if (c === OPEN_ARR && !this.multiDocument) {
          this.array = 'root';
          this.phase = 'arr-value';
          out.push({ kind: 'array', array: 'root' });
        } else this.fail(i, 'no JSON object or array');
        return;
      case 'obj-key':
        if (c === CLOSE_OBJ && !this.sawMembers) this.phase = 'end';
        else if (c === QUOTE) this.startCapture('key', 'string', i, MAX_KEY_BYTES);
        else this.fail(i, 'an unexpected character where a key belongs');
        return;
      case 'obj-colon':
        if (c !== COLON) this.fail(i, 'a missing ":"');
        this.phase = 'obj-value';
        return;
      case 'obj-value':
        if (c === OPEN_ARR && this.key !== undefined && RECORD_ARRAYS.has(this.key)) {
          this.array = this.key;
          this.sawElements = false;
          this.phase = 'arr-value';
          out.push({ kind: 'array', array: this.key });
        } else if (startsValue(c)) {
          this.startCapture(
            'member',
            c === OPEN_OBJ || c === OPEN_ARR ? 'container' : c === QUOTE ? 'string' : 'scalar',
            i,
            MAX_MEMBER_BYTES,
          );
        } else this.fail(i, 'an unexpected character where a value belongs');
        return;
      case 'obj-next':
        if (c === COMMA) this.phase = 'obj-key';
        else if (c === CLOSE_OBJ) this.phase = 'end';
        else this.fail(i, 'a missing "," or "}"');
        this.sawMembers = true;
        return;
      case 'arr-value':
        if (c === CLOSE_ARR && !this.sawElements) this.closeArray();
        else if (startsValue(c))
          this.startCapture(
            'element',
            c === OPEN_OBJ || c === OPEN_ARR ? 'container' : c === QUOTE ? 'string' : 'scalar',
            i,
            this.maxElementBytes,
          );
        else this.fail(i, 'an unexpected character where an element belongs');
        return;
      case 'arr-next':
        if (c === COMMA) {
          this.phase = 'arr-value';
          this.sawElements = true;
        } else if (c === CLOSE_ARR) this.closeArray();
        else this.fail(i, 'a missing "," or "]"');
        return;
      case 'end':
        if (this.multiDocument) {
          // The next document: its state starts afresh.
          this.sawMembers = false;
          this.sawElements = false;
          this.key = undefined;
          this.array = 'root';
          this.phase = 'begin';
          this.structural(i, c, out);
          return;
        }
        this.fail(i, 'text after the end of the document');
    }
  }

  private closeArray(): void {
    this.phase = this.array === 'root' ? 'end' : 'obj-next';
  }

  private startCapture(what: Capturing, kind: 'container' | 'string' | 'scalar', i: number, limit: number): void {
    this.phase = 'capture';
    this.capturing = what;
    this.valueKind = kind;
    this.nesting = kind === 'container' ? 1 : 0;
    this.inString = kind === 'string';
    this.escaped = false;
    this.parts = [];
    this.bytes = 0;
    this.limit = limit;
    this.overflow = false;
    this.from = i;
  }

  /** One byte inside the captured value; true when a scalar ended just before it. */
  private captureByte(chunk: Buffer, i: number, c: number, out: ScannedItem[]): boolean {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === BACKSLASH) this.escaped = true;
      else if (c === QUOTE) {
        this.inString = false;
        if (this.valueKind === 'string') this.finish(chunk, i + 1, out);
      }
      return false;
    }
    if (this.valueKind === 'scalar') {
      if (isSpace(c) || c === COMMA || c === CLOSE_ARR || c === CLOSE_OBJ) {
        this.finish(chunk, i, out);
        return true;
      }
      return false;
    }
    if (c === QUOTE) this.inString = true;
    else if (c === OPEN_OBJ || c === OPEN_ARR) this.nesting++;
    else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
      if (--this.nesting === 0) this.finish(chunk, i + 1, out);
    }
    return false;
  }

  /** Keeps chunk[from, to) of the value, unless it is over its limit (then it is only scanned). */
  private keep(chunk: Buffer, to: number): void {
    if (this.overflow) return;
    const n = to - this.from;
    if (this.bytes + n > this.limit) {
      this.overflow = true;
      this.parts = [];
      return;
    }
    // Copied: the stream may reuse its chunk buffers.
    if (n > 0) this.parts.push(Buffer.from(chunk.subarray(this.from, to)));
    this.bytes += n;
    this.from = to;
  }

  private finish(chunk: Buffer, to: number, out: ScannedItem[]): void {
    this.keep(chunk, to);
    const json = this.overflow ? undefined : Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    switch (this.capturing) {
      case 'key': {
        let key: string | undefined;
        try {
          key = json === undefined ? undefined : (JSON.parse(json) as string);
        } catch {
          this.fail(0, 'a malformed key');
        }
        this.key = key;
        this.phase = 'obj-colon';
        return;
      }
      case 'member':
        if (this.key !== undefined) out.push({ kind: 'member', key: this.key, json });
        this.phase = 'obj-next';
        return;
      case 'element':
        out.push(
          json === undefined ? { kind: 'oversized', array: this.array } : { kind: 'element', array: this.array, json },
        );
        this.phase = 'arr-next';
        this.sawElements = true;
    }
  }
}
