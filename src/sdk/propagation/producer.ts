/**
 * The producer side of a hand-over: a PRODUCER span `send <destination>` per the messaging
 * semantic conventions (https://opentelemetry.io/docs/specs/semconv/messaging/messaging-spans/).
 * `fn` gets the producer span's context to inject into the message, so the consumer's slice
 * becomes a child of the send.
 */
import { context, SpanKind, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import {
  MESSAGING_DESTINATION_NAME,
  MESSAGING_OPERATION_TYPE,
  MESSAGING_SYSTEM,
} from '../../contract/attribute-keys.js';
import { recordSanitizedException } from '../exception.js';

export interface ProducerTarget {
  system: 'aws_sqs' | 'redis';
  destination: string;
}

export async function withProducerSpan<T>(
  tracer: Tracer,
  target: ProducerTarget,
  fn: (context: Context, span: Span) => Promise<T> | T,
): Promise<T> {
  const destination = String(target.destination).slice(0, 256);
  const span = tracer.startSpan(`send ${destination}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      [MESSAGING_SYSTEM]: target.system,
      [MESSAGING_OPERATION_TYPE]: 'send',
      [MESSAGING_DESTINATION_NAME]: destination,
    },
  });
  const producerContext = trace.setSpan(context.active(), span);
  try {
    return await context.with(producerContext, () => fn(producerContext, span));
  } catch (error) {
    recordSanitizedException(span, error);
    throw error;
  } finally {
    span.end();
  }
}
