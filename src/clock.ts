// The one source of "now". Services and batches take a Clock so tests can travel in time.
export interface Clock {
  now(): Date;
  /** Today's calendar date in the UK (Europe/London), as YYYY-MM-DD. */
  today(): string;
}

const londonDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

export const systemClock: Clock = {
  now: () => new Date(),
  today: () => londonDate.format(new Date()),
};

/** A clock pinned to a date (noon UK time), or to an exact instant ("2026-11-22T12:50:00Z"), movable by tests. */
export function fixedClock(isoDate: string): Clock & { set(isoDate: string): void } {
  let current = isoDate;
  return {
    now: () => (current.includes('T') ? new Date(current) : new Date(`${current}T12:00:00Z`)),
    today: () => current.slice(0, 10),
    set(next: string) {
      current = next;
    },
  };
}
