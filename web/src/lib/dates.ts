/** Dates in the user's time zone and language; chain times are unix seconds. */
export function formatDate(unixSeconds: number, locale: string): string {
  return formatter(dates, locale, { dateStyle: "medium" }).format(new Date(unixSeconds * 1000));
}

export function formatDateTime(unixSeconds: number, locale: string): string {
  return formatter(dateTimes, locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(unixSeconds * 1000));
}

// One formatter per locale and style: building an Intl.DateTimeFormat costs far more than formatting
// with it, and a lineage history or a holdings list formats thousands of dates.
const dates = new Map<string, Intl.DateTimeFormat>();
const dateTimes = new Map<string, Intl.DateTimeFormat>();

function formatter(cache: Map<string, Intl.DateTimeFormat>, locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = cache.get(locale);
  if (f === undefined) {
    f = new Intl.DateTimeFormat(locale, options);
    cache.set(locale, f);
  }
  return f;
}

/** An address shortened for display: 0x1234…abcd. */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}
