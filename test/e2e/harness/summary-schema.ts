/** The published summary-event JSON Schema (schema/summary-event.schema.json), compiled once. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { REPO_DIR } from './peers-env.js';

const ajv = new Ajv2020.default({ strict: true, allErrors: true });
const schema = JSON.parse(readFileSync(join(REPO_DIR, 'schema/summary-event.schema.json'), 'utf8')) as object;
const validate = ajv.compile(schema);

/** Undefined when valid; otherwise ajv's errors as text. */
export function schemaErrors(event: unknown): string | undefined {
  return validate(event) ? undefined : ajv.errorsText(validate.errors);
}
