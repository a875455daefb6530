/**
 * The guide's domain objects and the members its queries read (`repo.full_name`, `agent.model`,
 * `pull_request.number`, …), with the type each must have for those queries to keep working.
 */
import { isPlainObject } from './json-safety.js';

export type GuideDomainField = 'repo' | 'task' | 'agent' | 'pull_request' | 'slack';
type MemberType = 'string' | 'positive_integer';

export const GUIDE_DOMAIN: ReadonlyArray<readonly [GuideDomainField, ReadonlyArray<readonly [string, MemberType]>]> = [
  [
    'repo',
    [
      ['full_name', 'string'],
      ['base_ref', 'string'],
    ],
  ],
  [
    'task',
    [
      ['task_id', 'string'],
      ['task_type', 'string'],
      ['source', 'string'],
    ],
  ],
  [
    'agent',
    [
      ['provider', 'string'],
      ['model', 'string'],
    ],
  ],
  [
    'pull_request',
    [
      ['url', 'string'],
      ['number', 'positive_integer'],
    ],
  ],
  ['slack', [['user_id', 'string']]],
];

function memberOk(value: unknown, type: MemberType): boolean {
  return type === 'string' ? typeof value === 'string' : Number.isSafeInteger(value) && (value as number) >= 1;
}

/** The first guide domain field (and member) of the wrong type, if any. */
export function guideDomainDefect(
  event: Record<string, unknown>,
): { field: GuideDomainField; member?: string } | undefined {
  for (const [field, members] of GUIDE_DOMAIN) {
    const value = event[field];
    if (value === undefined) continue;
    if (!isPlainObject(value)) return { field };
    for (const [member, type] of members) {
      if (value[member] !== undefined && !memberOk(value[member], type)) return { field, member };
    }
  }
  return undefined;
}

/**
 * Removes guide domain members of the wrong type (and fields that are not objects or end up
 * empty) from domain fields built from span attributes, so the event stays valid. The bridge
 * extension still carries those attributes, so the spans lose nothing.
 */
export function pruneGuideDomain(fields: Record<string, unknown>): void {
  for (const [field, members] of GUIDE_DOMAIN) {
    const value = fields[field];
    if (value === undefined) continue;
    if (!isPlainObject(value)) {
      delete fields[field];
      continue;
    }
    let pruned = false;
    for (const [member, type] of members) {
      if (value[member] !== undefined && !memberOk(value[member], type)) {
        delete value[member];
        pruned = true;
      }
    }
    if (pruned && Object.keys(value).length === 0) delete fields[field];
  }
}
