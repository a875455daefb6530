/** How every command ends on an error: one line on stderr, and the exit code that says whose it was. */
import { OtlpExportError } from '../otlp-transport/otlp-post.js';
import { SourceUserError } from '../backfill/source-types.js';
import { UsageError } from './args.js';

/** Prints a user error or a failure as one line and returns the exit code. */
export function reportFailure(command: string, err: unknown): number {
  if (err instanceof SourceUserError || err instanceof UsageError) {
    process.stderr.write(`alakai-otel ${command}: ${err.message}\n`);
    return 2;
  }
  const message =
    err instanceof OtlpExportError ? err.message : `failed: ${String((err as Error)?.message ?? err).split('\n')[0]}`;
  process.stderr.write(`alakai-otel ${command}: ${message}\n`);
  return 1;
}
