/**
 * Text into HTML, and data into a page's `<script type="application/json">`, without a way out.
 *
 * Every value on a page comes from log lines, which are hostile input: a field may hold
 * `</script><script>…`, quotes or `<!--`. Element text and attribute values escape the five
 * characters HTML gives meaning to. JSON inside a script element ends only at `</script`, and the
 * `<!--` / `<script` pair changes how the parser looks for that end, so every `<` (and, for good
 * measure, `>` and `&`) is written as a JSON `\u` escape: JSON.parse gives the same text back.
 * https://html.spec.whatwg.org/multipage/scripting.html#restrictions-for-contents-of-script-elements
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for an element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** JSON that can sit inside `<script type="application/json">` whatever the strings in it hold. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
