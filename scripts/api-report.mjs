// The API reports (api/*.api.md), one per entry point of package.json's exports: `check` fails
// when the built declarations' public surface differs from the committed report, so any change to
// what users can import is a deliberate one (`update` rewrites the reports). Run after the build.
// https://api-extractor.com/pages/setup/configure_api_report/
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { fileURLToPath } from 'node:url';

const ENTRY_POINTS = ['index', 'contract', 'register', 'pino-transport', 'lambda'];
const mode = process.argv[2];
if (mode !== 'check' && mode !== 'update') {
  process.stderr.write('usage: node scripts/api-report.mjs check|update\n');
  process.exit(2);
}

let failed = false;
for (const entry of ENTRY_POINTS) {
  const configFile = fileURLToPath(new URL(`../api/${entry}.api-extractor.json`, import.meta.url));
  const config = ExtractorConfig.loadFileAndPrepare(configFile);
  const result = Extractor.invoke(config, { localBuild: mode === 'update', showVerboseMessages: false });
  if (!result.succeeded || (mode === 'check' && result.apiReportChanged)) {
    failed = true;
    process.stderr.write(
      `api: the surface of "${entry}" (api/${entry}.api-extractor.json) differs from its committed report in api/ ` +
        '(a deliberate change? run `npm run api:update` and commit the report)\n',
    );
  }
}
process.exit(failed ? 1 : 0);
