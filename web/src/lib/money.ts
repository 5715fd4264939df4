/**
 * Money in the web app: the API sends base units as decimal strings; the app keeps them as `bigint` and
 * turns them into text here only, with the currency's decimals and the locale's grouping. No floating
 * point touches an amount (`Number()` never sees one).
 */

/** `1234567` base units with 2 decimals in en → "12,345.67". */
export function formatAmount(value: bigint | string, decimals: number, locale: string): string {
  const amount = typeof value === "bigint" ? value : BigInt(value);
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const scale = 10n ** BigInt(decimals);
  const whole = abs / scale;
  const fraction = abs % scale;
  const { grouping, separator } = numberFormatOf(locale);
  const grouped = grouping.format(whole);
  const text = decimals === 0 ? grouped : `${grouped}${separator}${fraction.toString().padStart(decimals, "0")}`;
  return negative ? `-${text}` : text;
}

// One grouping formatter and decimal separator per locale: building an Intl.NumberFormat costs far more
// than formatting with it, and a page may show thousands of amounts.
const numberFormats = new Map<string, { grouping: Intl.NumberFormat; separator: string }>();

function numberFormatOf(locale: string): { grouping: Intl.NumberFormat; separator: string } {
  let f = numberFormats.get(locale);
  if (f === undefined) {
    f = {
      grouping: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
      separator: new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === "decimal")?.value ?? ".",
    };
    numberFormats.set(locale, f);
  }
  return f;
}

/** "12,345.67" (or "12345.67") with 2 decimals → 1234567n; undefined when it is not such an amount. */
export function parseAmount(text: string, decimals: number): bigint | undefined {
  const cleaned = text.trim().replace(/[,\s_]/g, "");
  const match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned);
  if (match === null) return undefined;
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) return undefined;
  return BigInt(match[1] ?? "0") * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
}
