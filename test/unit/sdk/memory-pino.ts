/** A real pino logger writing into memory, and the small text helpers the logger tests share. */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

/** A pino logger with `options` whose lines are kept; `texts()` returns them, one per line. */
export function memoryPino(options: pino.LoggerOptions = {}): { logger: Logger; texts: () => string[] } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      raw.push(String(chunk));
      callback();
    },
  });
  return {
    logger: pino(options, stream),
    texts: () =>
      raw
        .join('')
        .split('\n')
        .filter((l) => l !== ''),
  };
}

/** How often `needle` occurs in `text` (a duplicate JSON key shows as 2). */
export function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
