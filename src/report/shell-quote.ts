/**
 * A word for a POSIX shell command line, for the `alakai-otel trace …` commands a report prints
 * to copy: left bare when it holds only characters no shell treats specially, else single-quoted
 * (inside single quotes nothing is special; a quote itself is closed, escaped and reopened).
 * https://pubs.opengroup.org/onlinepubs/9699919799/utilities/V3_chap02.html#tag_18_02_02
 */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
