/** Times as the console shows them: the absolute time with its zone, and the time left until a deadline. Pure. */

const ABSOLUTE = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});

/** "30 Nov 2026, 17:30 UTC" in the reader's locale and zone, the zone named; the text itself when it is no time. */
export function absoluteTime(iso: string | undefined, format: Intl.DateTimeFormat = ABSOLUTE): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : format.format(new Date(t));
}

/** "2 h 14 min left", "3 d 4 h left", "less than a minute left", "expired 5 min ago". */
export function timeLeft(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const ms = t - now;
  const span = duration(Math.abs(ms));
  if (ms >= 0) return span === '' ? 'less than a minute left' : `${span} left`;
  return span === '' ? 'expired just now' : `expired ${span} ago`;
}

function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days} d${hours ? ` ${hours} h` : ''}`;
  if (hours > 0) return `${hours} h${mins ? ` ${mins} min` : ''}`;
  return mins > 0 ? `${mins} min` : '';
}

/** The deadline in both forms: "2 h 14 min left (30 Nov 2026, 17:30 UTC)". */
export function deadline(iso: string | undefined, now: number): string {
  if (!iso) return '';
  return `${timeLeft(iso, now)} (${absoluteTime(iso)})`;
}
