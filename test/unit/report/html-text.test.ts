/** Escaping for the page: element text, attribute values, JSON in a script element, the inlined library. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inlineScriptText } from '../../../src/report/chart-library.js';
import { escapeHtml, jsonForScript } from '../../../src/report/html-text.js';
import { shellWord } from '../../../src/report/shell-quote.js';
import { durationText } from '../../../src/report/duration-text.js';

const HOSTILE = ['</script><script>alert(1)</script>', '<!--<script>', '"\' onload="x', '__proto__', '&amp;', '\u2028'];

describe('escapeHtml', () => {
  it('leaves no character that starts a tag, an entity or ends an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => {
        expect(escapeHtml(s)).not.toMatch(/[<>"']/);
        // Every & left is one of ours.
        expect(escapeHtml(s).replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
      }),
    );
  });
});

describe('jsonForScript', () => {
  it('gives the same value back through JSON.parse, with no < > & or line separators left', () => {
    for (const s of HOSTILE) expect(JSON.parse(jsonForScript({ [s]: [s] }))).toEqual({ [s]: [s] });
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = jsonForScript(v);
        expect(text).not.toMatch(/[<>&\u2028\u2029]/);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });
});

describe('inlineScriptText', () => {
  it('takes the two sequences the HTML parser acts on out of a script, keeping its meaning', () => {
    const src = 'var a = "</script>", b = "<!-- x", c = /<\\/SCRIPT>/;';
    const out = inlineScriptText(src);
    expect(out).not.toMatch(/<\/script/i);
    expect(out).not.toContain('<!--');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- evaluating our own test string
    const run = (code: string): unknown => (new Function(`${code} return [a, b, c.source];`) as () => unknown)();
    expect(run(out)).toEqual(run(src));
  });
});

describe('shellWord', () => {
  it('quotes what a shell would act on, so a pasted command runs with the same word', () => {
    expect(shellWord('3f1b7a7e-0000-4000-8000-000000000001')).toBe('3f1b7a7e-0000-4000-8000-000000000001');
    expect(shellWord('logs/a b.ndjson')).toBe(`'logs/a b.ndjson'`);
    expect(shellWord(`x'; rm -rf ~; echo '`)).toBe(`'x'\\''; rm -rf ~; echo '\\'''`);
    expect(shellWord('$(id)')).toBe(`'$(id)'`);
  });
});

describe('durationText', () => {
  it('reads as a person would say it', () => {
    expect([250, 1500, 60_000, 150_000, 3_900_000, 90_061_000, 0].map(durationText)).toEqual([
      '250ms',
      '1.5s',
      '1m',
      '2m 30s',
      '1h 5m',
      '1d 1h',
      '0ms',
    ]);
  });
});
