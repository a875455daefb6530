/** Milliseconds as a person reads them on a chart: 250ms, 1.5s, 5m, 2m 30s, 1h 5m, 2d. */
export function durationText(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < 1_000) return `${sign}${Math.round(a * 10) / 10}ms`;
  if (a < 60_000) return `${sign}${Math.round(a / 100) / 10}s`;
  const parts: [number, string][] = [
    [Math.floor(a / 86_400_000), 'd'],
    [Math.floor(a / 3_600_000) % 24, 'h'],
    [Math.floor(a / 60_000) % 60, 'm'],
    [Math.floor(a / 1_000) % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  // Two units at most: "2h 5m", not "2h 5m 3s"; a zero second unit is left out ("5m").
  const shown = parts.slice(first, first + 2).filter(([n], i) => i === 0 || n > 0);
  return sign + shown.map(([n, u]) => `${n}${u}`).join(' ');
}
