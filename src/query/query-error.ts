/** A query the local engine refuses: one line that names the construct, shown as a usage error. */
export class QueryError extends Error {
  override name = 'QueryError';
}
