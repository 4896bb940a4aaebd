// One way to print durations and dates, used by the UI, the CLI and the diagnostic report, so a
// user comparing a screenshot with a saved report reads the same numbers in the same form.

/** Rounded milliseconds under a second, one decimal of seconds above ("120 ms", "1.4 s"). */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const rounded = Math.round(ms);
  return rounded < 1000 ? `${rounded} ms` : `${(rounded / 1000).toFixed(1)} s`;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Minutes east of UTC for this instant on this machine (Date's own offset is west-positive). */
const localOffset = (ms: number): number => -new Date(ms).getTimezoneOffset();

function parts(ms: number, offsetMinutes: number): { date: string; hm: string; s: string; zone: string } {
  // Shift the instant by the offset and read it as UTC: the printed fields are then local.
  const d = new Date(ms + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    hm: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`,
    s: pad(d.getUTCSeconds()),
    zone: offsetMinutes === 0 ? 'UTC' : `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`,
  };
}

/**
 * "2026-12-02 04:10 UTC+01:00": year first (no day/month ambiguity between locales), local time,
 * with the zone so a report read elsewhere is still exact.
 */
export function formatDateTime(ms: number | undefined, offsetMinutes?: number): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  const p = parts(ms, offsetMinutes ?? localOffset(ms));
  return `${p.date} ${p.hm} ${p.zone}`;
}

/** "04:10:07": the time of day alone, for lists where the date is obvious (activity, timeline). */
export function formatClock(ms: number, offsetMinutes?: number): string {
  const p = parts(ms, offsetMinutes ?? localOffset(ms));
  return `${p.hm}:${p.s}`;
}
