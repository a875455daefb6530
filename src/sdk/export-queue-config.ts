/**
 * The export queue's settings, from the options first, then the OTEL_BSP_* variables, then the
 * BatchSpanProcessor's defaults (the spec's names and defaults:
 * https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/#batch-span-processor).
 *
 * Resolved here once, for two reasons: the counting bound in front of the BatchSpanProcessor must
 * be the very cap the processor uses (passing our own default used to hide OTEL_BSP_MAX_QUEUE_SIZE),
 * and a value that is not a number a queue can use is a configuration mistake to say, not to guess
 * around (the SDK only warns through diag, which is silent by default).
 */
import { noticeOnce, shownValue } from './notice.js';

export interface ExportQueueOptions {
  /** Spans waiting for export, at most (OTEL_BSP_MAX_QUEUE_SIZE, default 2048). Beyond: dropped, counted. */
  maxQueueSize?: number;
  /** Spans per export request, at most (OTEL_BSP_MAX_EXPORT_BATCH_SIZE, default 512; capped at maxQueueSize). */
  maxExportBatchSize?: number;
  /** Delay between two scheduled exports, ms (OTEL_BSP_SCHEDULE_DELAY, default 5000). */
  scheduledDelayMillis?: number;
  /** How long one export is waited for, ms (OTEL_BSP_EXPORT_TIMEOUT, default 30000). */
  exportTimeoutMillis?: number;
}

export type ResolvedExportQueue = Required<ExportQueueOptions>;

interface Setting {
  key: keyof ExportQueueOptions;
  env: string;
  fallback: number;
  /** The smallest value that makes sense: a queue of 0 spans exports nothing. */
  min: number;
}

const SETTINGS: readonly Setting[] = [
  { key: 'maxQueueSize', env: 'OTEL_BSP_MAX_QUEUE_SIZE', fallback: 2048, min: 1 },
  { key: 'maxExportBatchSize', env: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', fallback: 512, min: 1 },
  { key: 'scheduledDelayMillis', env: 'OTEL_BSP_SCHEDULE_DELAY', fallback: 5000, min: 0 },
  { key: 'exportTimeoutMillis', env: 'OTEL_BSP_EXPORT_TIMEOUT', fallback: 30000, min: 1 },
];

function usable(value: number, min: number): boolean {
  return Number.isFinite(value) && Number.isInteger(value) && value >= min;
}

function resolveOne(setting: Setting, option: number | undefined, env: NodeJS.ProcessEnv): number {
  if (option !== undefined) {
    if (usable(option, setting.min)) return option;
    noticeOnce(
      `export-queue:${setting.key}`,
      `exportQueue.${setting.key} ${shownValue(option)} is not an integer >= ${setting.min}; using ${setting.fallback}`,
    );
    return setting.fallback;
  }
  const raw = env[setting.env];
  if (raw === undefined || raw.trim() === '') return setting.fallback;
  const value = Number(raw.trim());
  if (usable(value, setting.min)) return value;
  noticeOnce(
    `env:${setting.env}`,
    `${setting.env}=${shownValue(raw)} is not an integer >= ${setting.min}; using ${setting.fallback}`,
  );
  return setting.fallback;
}

export function resolveExportQueue(
  options: ExportQueueOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedExportQueue {
  const resolved = {} as ResolvedExportQueue;
  for (const setting of SETTINGS) resolved[setting.key] = resolveOne(setting, options[setting.key], env);
  // The BatchSpanProcessor clamps this too (with a diag warning); done here so the bound we count
  // against and the processor's agree without depending on that.
  resolved.maxExportBatchSize = Math.min(resolved.maxExportBatchSize, resolved.maxQueueSize);
  return resolved;
}
