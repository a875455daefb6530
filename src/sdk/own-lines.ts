/**
 * Marks the summary lines the processor itself writes, so zero-code mode (which watches the same
 * logger's stream) does not turn them into spans a second time. pino writes synchronously into
 * its stream during `logger.info`, so a flag around that call is exact.
 */
let depth = 0;

export function writingOwnLine<T>(write: () => T): T {
  depth++;
  try {
    return write();
  } finally {
    depth--;
  }
}

export function isOwnLineBeingWritten(): boolean {
  return depth > 0;
}
