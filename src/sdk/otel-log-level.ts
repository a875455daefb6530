/**
 * OTEL_LOG_LEVEL, read the way the OTel JS SDK reads it: the DiagLogLevel names NONE, ERROR, WARN,
 * INFO, DEBUG, VERBOSE, ALL, case-insensitive; unset or blank means "not configured" (which is
 * not the same as any level); an unknown value falls back to INFO. `@opentelemetry/sdk-node`
 * then installs a DiagConsoleLogger at that level, unless it is NONE
 * (https://github.com/open-telemetry/opentelemetry-js/blob/main/experimental/packages/opentelemetry-sdk-node/src/start.ts,
 * `diagLogLevelFromString` in packages/opentelemetry-core/src/utils/configuration.ts).
 * Parsed here rather than through core's `diagLogLevelFromString` so an unknown value can be
 * told apart (and reported) instead of only warned about through a diag logger nobody installed.
 */
import { DiagLogLevel } from '@opentelemetry/api';

export type OtelLogLevel =
  | { kind: 'unset' }
  | { kind: 'level'; level: DiagLogLevel; name: string }
  | { kind: 'unknown'; level: DiagLogLevel.INFO; raw: string };

const NAMES = ['NONE', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'VERBOSE', 'ALL'] as const;

export function otelLogLevel(env: NodeJS.ProcessEnv = process.env): OtelLogLevel {
  const raw = env.OTEL_LOG_LEVEL;
  if (raw === undefined || raw.trim() === '') return { kind: 'unset' };
  const name = raw.trim().toUpperCase();
  if ((NAMES as readonly string[]).includes(name))
    return { kind: 'level', level: DiagLogLevel[name as (typeof NAMES)[number]], name };
  return { kind: 'unknown', level: DiagLogLevel.INFO, raw };
}

/** The level in effect for our own warnings: unset behaves like the OTel default (INFO). */
export function effectiveLevel(parsed: OtelLogLevel): DiagLogLevel {
  return parsed.kind === 'unset' ? DiagLogLevel.INFO : parsed.level;
}

export const OTEL_LOG_LEVEL_NAMES: readonly string[] = NAMES;
