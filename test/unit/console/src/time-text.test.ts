import { absoluteTime, timeLeft } from '../../../../console/src/time-text';

describe('time text (the console)', () => {
  const now = Date.parse('2026-11-30T15:00:00Z');

  it('says the time left in days, hours and minutes, and how long ago a deadline passed', () => {
    expect(timeLeft('2026-11-30T17:14:30Z', now)).toBe('2 h 14 min left');
    expect(timeLeft('2026-12-03T19:00:00Z', now)).toBe('3 d 4 h left');
    expect(timeLeft('2026-11-30T15:00:20Z', now)).toBe('less than a minute left');
    expect(timeLeft('2026-11-30T14:55:00Z', now)).toBe('expired 5 min ago');
    expect(timeLeft('not a time', now)).toBe('');
  });

  it('names the time zone of an absolute time', () => {
    const utc = new Intl.DateTimeFormat('en-GB', {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
      timeZone: 'UTC',
    });
    expect(absoluteTime('2026-11-30T17:30:00Z', utc)).toBe('30 Nov 2026, 17:30 UTC');
    expect(absoluteTime('garbage', utc)).toBe('garbage');
  });
});
