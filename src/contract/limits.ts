/** Size limits of a summary event (docs/summary-event-format.md, "Rejected"). */

/** Longest name-like field (event, final_status, service, component, step names, error.type). */
export const MAX_NAME_LENGTH = 256;
/** Most entries in `steps`. */
export const MAX_STEPS = 256;
/** Longest string inside a domain field; a span attribute beyond this helps nobody (X-Ray: ≤ 200 KB a span). */
export const MAX_DOMAIN_STRING = 64 * 1024;
/**
 * Longest line read as a summary event, in UTF-8 bytes, by every reader (the backfill, `live`,
 * zero-code): CloudWatch Logs events are at most 1 MiB, plus some slack for a wrapper or a trailing
 * newline. https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/logs/cloudwatch_limits_cwl.html
 */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024 + 64 * 1024;
