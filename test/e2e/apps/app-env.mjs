// Shared by the three e2e apps: required settings and the tracing instance that
// `node --import alakai-otel/register` set up. The apps never set up tracing themselves — the
// drop-in entry is the only instrumentation, as in a real service.
import { getAlakaiTracing } from 'alakai-otel';

export function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`${process.argv[1]}: ${name} is not set\n`);
    process.exit(2);
  }
  return value;
}

export function requireTracing() {
  const tracing = getAlakaiTracing();
  if (!tracing) {
    process.stderr.write(
      `${process.argv[1]}: tracing is not set up (run with --import alakai-otel/register and ALAKAI_COMPONENT)\n`,
    );
    process.exit(2);
  }
  return tracing;
}

/** A line on stderr the launcher waits for; stdout carries only the service's pino lines. */
export function announce(word, detail = '') {
  process.stderr.write(`E2E ${word}${detail ? ' ' + detail : ''}\n`);
}
