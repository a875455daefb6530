/**
 * The documents show what the code does: each generated block in docs/ must equal what
 * docs-example.ts produces now. `UPDATE_DOCS=1 npx vitest run test/unit/contract/docs.test.ts`
 * rewrites the blocks after a deliberate change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summaryEventToSpans } from '../../../src/contract/event-to-spans.js';
import { parseLogLine } from '../../../src/contract/parse.js';
import { exampleExtension, exampleLine, exampleTree, renderTree } from './docs-example.js';

const BLOCKS: Record<string, () => string> = {
  'example-tree': () => renderTree(exampleTree()),
  'example-line': () => exampleLine(),
  'example-otel': () => exampleExtension(),
};

function generatedBlock(name: string, body: string, lang: string): string {
  return `<!-- generated:${name} -->\n\`\`\`${lang}\n${body}\n\`\`\`\n<!-- /generated:${name} -->`;
}

const BLOCK_RE = /<!-- generated:([a-z-]+) -->\n```([a-z]*)\n(?:[\s\S]*?\n)?```\n<!-- \/generated:\1 -->/g;

describe.each(['docs/mapping.md', 'docs/summary-event-format.md'])('%s', (file) => {
  it('holds exactly the example the code produces', () => {
    const url = new URL(`../../../${file}`, import.meta.url);
    const text = readFileSync(url, 'utf8');
    const expected = text.replace(BLOCK_RE, (_m, name: string, lang: string) =>
      generatedBlock(name, BLOCKS[name]!(), lang),
    );
    if (process.env['UPDATE_DOCS'] === '1') {
      writeFileSync(url, expected);
      return;
    }
    expect(text).toBe(expected);
    // Every marker must be a well-formed block, or drift would go unnoticed.
    expect(text.match(BLOCK_RE)?.length).toBe(text.split('<!-- generated:').length - 1);
    expect(text).toMatch(/<!-- generated:example-line -->/);
  });
});

it('the documented line gives back the documented span tree, identical', () => {
  const parsed = parseLogLine(exampleLine());
  if (parsed.kind !== 'summary') throw new Error(JSON.stringify(parsed));
  const { slice, descendants } = exampleTree();
  expect(summaryEventToSpans(parsed.event)).toStrictEqual([slice, ...descendants]);
});
