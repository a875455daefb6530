/**
 * `alakai-otel <command>`: a thin shell. Each command lives in its own module and is loaded only
 * when asked for, so `trace` does not pay for the SDK and `demo` does not load the AWS SDK.
 */
import { PACKAGE_VERSION } from '../sdk/version.js';
import { UsageError } from './args.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  demo: {
    summary: 'run example executions core → orchestrator → worker and write their logs and spans',
    load: async () => (await import('./demo.js')).demoCommand,
  },
  backfill: {
    summary: 'turn summary events from CloudWatch Logs or files into spans (OTLP/HTTP or an OTLP/JSON file)',
    load: async () => (await import('./backfill.js')).backfillCommand,
  },
  trace: {
    summary: 'show one execution across the three services: rows, step-level lines and a waterfall',
    load: async () => (await import('./trace.js')).traceCommand,
  },
  query: {
    summary: "run the guide's common queries (or any Logs Insights query) over log files",
    load: async () => (await import('./query.js')).queryCommand,
  },
  report: {
    summary: 'the on-call page: errors, slowest executions, slot contention, p90/p99 against the period before',
    load: async () => (await import('./report.js')).reportCommand,
  },
  live: {
    summary: "pass a service's log lines through unchanged and export its summary events as spans",
    load: async () => (await import('./live.js')).liveCommand,
  },
  follow: {
    summary: 'follow logs as they are written (files, stdin, CloudWatch) and export linked spans as executions arrive',
    load: async () => (await import('./follow.js')).followCommand,
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: alakai-otel <command> [flags]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    "alakai-otel <command> --help shows the command's flags; alakai-otel --version the version.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    if (PACKAGE_VERSION === undefined) {
      process.stderr.write('alakai-otel: cannot read the version from package.json\n');
      return 1;
    }
    process.stdout.write(`${PACKAGE_VERSION}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`alakai-otel: unknown command "${name.slice(0, 40)}"\n${usage()}\n`);
    return 2;
  }
  try {
    return await (
      await command.load()
    )(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`alakai-otel ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
