/**
 * The configuration files users deploy are accepted by the programs they are for: the slim
 * Collector (built from collector/builder-manifest.yaml) and Jaeger v2, both with `validate`, which
 * loads a config, resolves ${env:…} and builds every component without starting it.
 * (collector/agent-loadbalancing.yaml needs the contrib distribution's loadbalancing exporter, which
 * the slim build leaves out on purpose, so it is not checked here.) A new file in collector/ must be
 * listed here, checked or left out with its reason: the last test says so. docker-compose.yml's
 * `follow` service is checked against the demo's layout and the `follow` command it runs.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { demoLayout } from '../../src/demo/layout.js';
import { loadPeersEnv, REPO_DIR } from './harness/peers-env.js';

const run = promisify(execFile);
const peers = loadPeersEnv();

async function validate(
  binary: string,
  config: string,
  env: Record<string, string>,
): Promise<{ ok: boolean; output: string }> {
  try {
    await run(binary, ['validate', '--config', join(REPO_DIR, config)], {
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 60_000,
    });
    return { ok: true, output: '' };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`.slice(-3000) };
  }
}

describe('shipped configuration files', () => {
  const otelcol = peers.vars.get('OTELCOL_BIN');
  const jaeger = peers.vars.get('JAEGER_BIN');

  test.each([
    ['collector/config.yaml', {}],
    [
      'collector/config.yaml',
      {
        AWS_XRAY_ENDPOINT: 'http://127.0.0.1:5000',
        AWS_XRAY_LOCAL_MODE: 'true',
        JAEGER_OTLP_ENDPOINT: 'http://jaeger:4318',
      },
    ],
    ['collector/gateway.yaml', { JAEGER_OTLP_GRPC_ENDPOINT: 'jaeger-collector:4317', AWS_REGION: 'us-east-1' }],
    // sigv4auth resolves credentials from the AWS default chain when the extension is built, so
    // validating needs some: the environment's, as an ECS task role would provide them.
    [
      'collector/xray-otlp.yaml',
      { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' },
    ],
  ])('the Collector accepts %s (env %j)', async (config, env) => {
    expect(otelcol, 'OTELCOL_BIN missing from the peers env file (rerun scripts/peers.sh start)').toBeTruthy();
    const result = await validate(otelcol!, config, env);
    expect(result.ok, result.output).toBe(true);
  });

  test.each([
    ['collector/jaeger.yaml', {}],
    [
      'collector/jaeger-elasticsearch.yaml',
      { ES_URL: 'http://127.0.0.1:9200', ES_USERNAME: 'jaeger', ES_PASSWORD: 'secret' },
    ],
  ])('Jaeger accepts %s', async (config, env) => {
    expect(jaeger, 'JAEGER_BIN missing from the peers env file (rerun scripts/peers.sh start)').toBeTruthy();
    const result = await validate(jaeger!, config, env);
    expect(result.ok, result.output).toBe(true);
  });

  test('every file in collector/ is checked here, or left out with its reason', () => {
    const checked = [
      'config.yaml',
      'gateway.yaml',
      'xray-otlp.yaml',
      'jaeger.yaml',
      'jaeger-elasticsearch.yaml',
      'builder-manifest.yaml', // the build itself: scripts/peers.sh install fails on a bad manifest
      'agent-loadbalancing.yaml', // needs the contrib distribution (see the header)
    ];
    const files = readdirSync(join(REPO_DIR, 'collector')).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'));
    expect(files.filter((f) => !checked.includes(f))).toEqual([]);
  });

  test('validate really checks: a config with an unknown exporter is refused', async () => {
    expect(otelcol).toBeTruthy();
    const result = await validate(otelcol!, 'test/e2e/fixtures/collector-unknown-exporter.yaml', {});
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/unknown type|zipkin/i);
  });
});

/**
 * The `command:` list of one service in docker-compose.yml (block style, one `- item` a line, as
 * the file writes it: no YAML parser among the dependencies for one list), and its other keys' lines.
 */
function composeService(name: string): { command: string[]; lines: string[] } {
  const lines = readFileSync(join(REPO_DIR, 'docker-compose.yml'), 'utf8').split('\n');
  const start = lines.indexOf(`  ${name}:`);
  if (start < 0) return { command: [], lines: [] };
  const end = lines.findIndex((l, i) => i > start && /^ {2}\S/.test(l));
  const block = lines.slice(start + 1, end < 0 ? undefined : end);
  const at = block.indexOf('    command:');
  const command: string[] = [];
  for (let i = at + 1; at >= 0 && i < block.length && block[i]!.startsWith('      - '); i++)
    command.push(block[i]!.slice('      - '.length).trim());
  return { command, lines: block };
}

describe('docker-compose.yml: the follow service next to the demo', () => {
  const follow = composeService('follow');
  const cli = join(REPO_DIR, 'bin', 'alakai-otel.js');

  test('runs `alakai-otel follow` on the three log files the demo writes, exporting to the collector service', () => {
    expect(follow.command.slice(0, 3)).toEqual(['node', 'bin/alakai-otel.js', 'follow']);
    const inputs = follow.command.flatMap((arg, i) => (arg === '--input' ? [follow.command[i + 1]] : []));
    const demo = demoLayout('demo-run').logFiles; // where `demo --out demo-run` writes its logs
    expect(inputs).toEqual([demo.core, demo.orchestrator, demo.worker]);
    const endpoint = follow.command[follow.command.indexOf('--otlp-endpoint') + 1];
    expect(endpoint).toBe('http://collector:4318/v1/traces');
    expect(composeService('collector').lines.join('\n')).toContain('"4318:4318"');
    expect(follow.lines).toContain('      - collector');
  });

  test('every flag the service passes is one `alakai-otel follow --help` documents', () => {
    const run = spawnSync(process.execPath, [cli, 'follow', '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const help = run.stdout;
    const flags = follow.command.filter((arg) => arg.startsWith('--'));
    expect(flags.length).toBeGreaterThan(3);
    for (const flag of flags) expect(help, flag).toContain(flag);
  });
});
