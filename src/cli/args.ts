/**
 * A small strict flag parser for the CLI. Unknown flags and missing values are user errors: they
 * throw UsageError, which main.ts prints as one line (never a stack trace) with exit code 2.
 */

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface FlagSpec {
  /** Flag takes a value (`--since 6h`); otherwise it is boolean (`--dry-run`). */
  value?: boolean;
  /** Flag may repeat, and takes every following non-flag word (`--input a.ndjson b.ndjson`). */
  many?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string[]>;
}

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith('--') || word === '--') {
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const name = eq === -1 ? word.slice(2) : word.slice(2, eq);
    const s = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!s) throw new UsageError(`unknown flag --${name}`);
    const values = flags.get(name) ?? [];
    flags.set(name, values);
    if (!s.value) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      values.push('true');
      continue;
    }
    if (eq !== -1) {
      values.push(word.slice(eq + 1));
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      values.push(next);
      i++;
      // `--input a b c`: a "many" flag swallows the words up to the next flag.
      while (s.many && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) values.push(argv[++i]!);
    }
    if (!s.many && values.length > 1) throw new UsageError(`--${name} given more than once`);
  }
  return { positionals, flags };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.[0];
}

export function flagAll(args: ParsedArgs, name: string): string[] {
  return args.flags.get(name) ?? [];
}

export function hasFlag(args: ParsedArgs, name: string): boolean {
  return args.flags.has(name);
}

export function intFlag(
  args: ParsedArgs,
  name: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = flag(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

const DURATION = /^(\d{1,9})(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `6h`, `2d` → milliseconds. */
export function parseDuration(text: string, what: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new UsageError(`${what} must look like 30m, 6h or 2d (got "${text.slice(0, 40)}")`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** An ISO 8601 date-time or epoch milliseconds → epoch milliseconds. */
export function parseInstant(text: string, what: string): number {
  const n = /^\d{10,16}$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(n))
    throw new UsageError(`${what} must be an ISO 8601 time or epoch milliseconds (got "${text.slice(0, 40)}")`);
  return n;
}
