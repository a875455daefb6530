/**
 * The component a service declares must be one of the guide's three (contract COMPONENTS): it is
 * written on every summary line (`component`, `context.component`) and picks the log group, so a
 * typo such as `wroker` would put lines where no runbook query finds them.
 */
import { COMPONENTS, type Component } from '../contract/summary-event.js';
import { shownValue } from './notice.js';

export function isComponent(value: unknown): value is Component {
  return typeof value === 'string' && (COMPONENTS as readonly string[]).includes(value);
}

/** Why `value` is not a component, or undefined when it is one. */
export function componentProblem(value: unknown, name = 'component'): string | undefined {
  if (isComponent(value)) return undefined;
  const expected = COMPONENTS.join(', ');
  if (value === undefined || value === null || value === '') return `${name} is not set (expected one of ${expected})`;
  return `${name} ${shownValue(value)} is not one of ${expected}`;
}
