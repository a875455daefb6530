/**
 * How the Insights source cuts a time range into query windows. Windows are [startMs, endMs),
 * their inner edges on whole seconds (Logs Insights takes seconds) and on a fixed grid from the
 * epoch, so a resumed run cuts the same windows as the run it continues.
 */

export interface TimeWindow {
  startMs: number;
  endMs: number;
}

/** The range cut on the `windowMs` grid (a multiple of 1000 ms); the first and last may be shorter. */
export function gridWindows(startMs: number, endMs: number, windowMs: number): TimeWindow[] {
  const step = Math.max(1000, Math.round(windowMs / 1000) * 1000);
  const out: TimeWindow[] = [];
  for (let s = startMs; s < endMs;) {
    const e = Math.min(endMs, (Math.floor(s / step) + 1) * step);
    out.push({ startMs: s, endMs: e });
    s = e;
  }
  return out;
}

/**
 * A window whose query came back full, cut into pieces small enough that each should come back
 * under the row limit: as many as the matched count asks for at half the limit each (so an uneven
 * spread still fits), at least 2, at most `maxPieces`, none shorter than a second. Undefined when
 * the window is one second or less and cannot be cut.
 */
export function splitWindow(
  w: TimeWindow,
  recordsMatched: number | undefined,
  rowLimit: number,
  maxPieces = 32,
): TimeWindow[] | undefined {
  const firstS = Math.floor(w.startMs / 1000);
  const lastS = Math.ceil(w.endMs / 1000);
  const seconds = lastS - firstS;
  if (seconds <= 1) return undefined;
  const wanted =
    recordsMatched !== undefined && Number.isFinite(recordsMatched) ? Math.ceil(recordsMatched / (rowLimit / 2)) : 2;
  const pieces = Math.max(2, Math.min(maxPieces, seconds, wanted));
  const out: TimeWindow[] = [];
  let start = w.startMs;
  for (let i = 1; i <= pieces; i++) {
    const end = i === pieces ? w.endMs : (firstS + Math.round((seconds * i) / pieces)) * 1000;
    if (end <= start) continue;
    out.push({ startMs: start, endMs: end });
    start = end;
  }
  return out.length > 1 ? out : undefined;
}
