/**
 * Attribute names the bridge reads and writes (docs/mapping.md explains each choice).
 * OpenTelemetry semantic conventions where one exists; otherwise the one `alakai.` namespace.
 */

// Resource (semantic conventions: service, cloud, aws.log).
export const SERVICE_NAME = 'service.name';
export const SERVICE_NAMESPACE = 'service.namespace';
export const CLOUD_PLATFORM = 'cloud.platform';
/** Links a trace to its CloudWatch log groups in the X-Ray console (DESIGN.md). */
export const AWS_LOG_GROUP_NAMES = 'aws.log.group.names';
/** Which of the guide's three services emitted the slice (`context.component`). */
export const ALAKAI_COMPONENT = 'alakai.component';

// Slice span: a span carrying ALAKAI_EVENT is a slice and writes one summary event when it ends.
export const ALAKAI_EVENT = 'alakai.event';
export const ALAKAI_OUTCOME = 'alakai.outcome';
export const ALAKAI_FINAL_STATUS = 'alakai.final_status';
/** The execution's trace id as Alakai wrote it (kept only when it is not a plain UUID). */
export const ALAKAI_TRACE_ID = 'alakai.trace_id';
/** Declared step names, in order: steps that never ran show as "-" in the summary. */
export const ALAKAI_STEPS_DECLARED = 'alakai.steps.declared';
/** Prefix of step-status attributes on legacy spans (`alakai.steps.<name>` = ok|error|-). */
export const ALAKAI_STEPS_PREFIX = 'alakai.steps.';
/** Prefix of domain fields (`alakai.repo.full_name`, `alakai.pull_request.number`, ...). */
export const ALAKAI_PREFIX = 'alakai.';
/** Prefix of domain values that have no attribute type (null, objects in arrays): JSON text. */
export const ALAKAI_JSON_PREFIX = 'alakai.json.';

// Step span: a child of a slice carrying ALAKAI_STEP is one entry of the summary's `steps`.
export const ALAKAI_STEP = 'alakai.step';

// Errors (semantic conventions: error.type, exception event).
export const ERROR_TYPE = 'error.type';
export const EXCEPTION_EVENT = 'exception';
export const EXCEPTION_TYPE = 'exception.type';
export const EXCEPTION_MESSAGE = 'exception.message';
export const EXCEPTION_STACKTRACE = 'exception.stacktrace';

// Messaging (semantic conventions for SQS and the Redis hand-over).
export const MESSAGING_SYSTEM = 'messaging.system';
export const MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const MESSAGING_DESTINATION_NAME = 'messaging.destination.name';

/** Instrumentation scope of everything the bridge creates. */
export const SCOPE_NAME = 'alakai-otel';

/**
 * Marks a span rebuilt from a legacy summary event (no bridge extension): its ids are derived,
 * its start is `time − duration_ms`, and its steps are `alakai.steps.<name>` attributes.
 */
export const ALAKAI_LEGACY = 'alakai.legacy';

/**
 * `false` on a legacy span built from its line alone (zero-code, `live`, the pino transport, the
 * Lambda handler): a root span without step-line events, whose id is in the unlinked namespace
 * (legacy-span-id.ts). Absent on the linked spans of the backfill, `trace` and `follow`. Under the
 * bridge's own `alakai.legacy` segment, so no domain field can take the key.
 */
export const ALAKAI_LEGACY_LINKED = 'alakai.legacy.linked';
