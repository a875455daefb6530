/**
 * Which engine answers `query` and `report`: --input → the local engine over files and S3 objects;
 * otherwise Logs Insights over the log groups (the AWS flags as for backfill and trace).
 */
import { flag, flagAll, hasFlag, UsageError, type ParsedArgs } from './args.js';
import { cloudWatchChoice, partialInputNotice } from './inputs.js';
import { cloudWatchQueryEngine } from './query-cloudwatch-engine.js';
import { localFileEngine } from './query-local-engine.js';
import { newCounters } from '../backfill/report.js';
import type { QueryEngine, TimeWindow } from '../query/query-engine.js';

export function queryEngineFor(command: string, args: ParsedArgs, window: TimeWindow): QueryEngine {
  const inputs = flagAll(args, 'input');
  const region = flag(args, 'region');
  const profile = flag(args, 'profile');
  if (inputs.length === 0) {
    const progress = (line: string): void => void process.stderr.write(`alakai-otel ${command}: ${line}\n`);
    const choice = cloudWatchChoice(args, window);
    return cloudWatchQueryEngine(choice, newCounters(), progress);
  }
  for (const f of ['log-group', 'endpoint'])
    if (hasFlag(args, f)) throw new UsageError(`--${f} is for CloudWatch Logs, not --input`);
  if (!inputs.some((i) => i.startsWith('s3://')) && (region || profile))
    throw new UsageError('--region/--profile apply to CloudWatch and s3:// input, not to local files');
  return localFileEngine(inputs, {
    onPartial: partialInputNotice(command, newCounters()),
    ...(region ? { region } : {}),
    ...(profile ? { profile } : {}),
  });
}
