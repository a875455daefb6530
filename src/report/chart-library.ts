/**
 * Chart.js (MIT licence, https://www.chartjs.org), read from the installed package once and
 * inlined into each page, so a page needs no network: its UMD build defines the global `Chart`.
 * chart.js's `exports` map names no subpath for that build, so it is found beside the main entry,
 * in the package's dist/ folder.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface ChartLibrary {
  version: string;
  license: string;
  source: string;
}

let cached: ChartLibrary | undefined;

/**
 * The source as it may stand between `<script>` and `</script>`: the HTML parser ends the element
 * at the first `</script` and treats `<!--` specially, so either would break the page. The shipped
 * build has neither today; were a future one to, `<\/` and `<\!--` mean the same in JavaScript
 * strings, regexes and comments (where such text can occur).
 */
export function inlineScriptText(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export function chartLibrary(): ChartLibrary {
  if (cached) return cached;
  const main = createRequire(import.meta.url).resolve('chart.js');
  const dist = dirname(main);
  const pkg = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as {
    version?: unknown;
    license?: unknown;
  };
  cached = {
    version: typeof pkg.version === 'string' ? pkg.version : 'unknown',
    license: typeof pkg.license === 'string' ? pkg.license : 'unknown',
    source: inlineScriptText(readFileSync(join(dist, 'chart.umd.min.js'), 'utf8')),
  };
  return cached;
}
