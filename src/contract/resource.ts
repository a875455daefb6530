/**
 * The resource every Alakai service exports. The SDK setup uses it for live spans and the
 * backfill derives it for legacy events, so both directions produce identical resources (Jaeger
 * dedupes only identical spans, resource included).
 */
import {
  ALAKAI_COMPONENT,
  AWS_LOG_GROUP_NAMES,
  CLOUD_PLATFORM,
  SERVICE_NAME,
  SERVICE_NAMESPACE,
} from './attribute-keys.js';
import { BoundedMap } from './cache.js';
import type { Attributes } from './span-record.js';
import { LOG_GROUPS, type Component } from './summary-event.js';

export const SERVICE_NAMESPACE_VALUE = 'alakai';
/** Semantic-conventions value of `cloud.platform` for ECS. */
export const CLOUD_PLATFORM_VALUE = 'aws_ecs';

/**
 * The service each component runs as by default: the guide's names, the part of its log group
 * after `/ecs/` ("Log groups" table) — so the worker is `alakai-worker-implementation`, and
 * Jaeger's service list matches the CloudWatch console's.
 */
export function defaultServiceName(component: string): string {
  const group = Object.hasOwn(LOG_GROUPS, component) ? LOG_GROUPS[component as Component] : undefined;
  return group?.startsWith('/ecs/') ? group.slice('/ecs/'.length) : `alakai-${component}`;
}

export function componentResource(service: string, component: string): Attributes {
  const resource: Attributes = {
    [SERVICE_NAME]: service,
    [SERVICE_NAMESPACE]: SERVICE_NAMESPACE_VALUE,
    [CLOUD_PLATFORM]: CLOUD_PLATFORM_VALUE,
  };
  // Links the trace to the component's log group in the X-Ray console (DESIGN.md, facts).
  if (Object.hasOwn(LOG_GROUPS, component)) resource[AWS_LOG_GROUP_NAMES] = [LOG_GROUPS[component as Component]];
  resource[ALAKAI_COMPONENT] = component;
  return resource;
}

const MAX_SHARED_RESOURCES = 1024;
const sharedResources = new BoundedMap<Attributes>(MAX_SHARED_RESOURCES);

/**
 * One frozen resource object per (service, component): the backfill builds millions of spans and
 * the OTel exporter groups spans by resource object identity, so sharing is both cheaper and
 * groups better. Bounded (cache.ts) so hostile input cannot grow it without limit.
 */
export function sharedComponentResource(service: string, component: string): Attributes {
  const key = `${service}\u0000${component}`;
  let resource = sharedResources.get(key);
  if (!resource) {
    resource = Object.freeze(componentResource(service, component));
    sharedResources.set(key, resource);
  }
  return resource;
}
