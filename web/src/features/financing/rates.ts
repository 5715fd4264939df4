/**
 * The quote form's live conversion between an advance and its effective annual rate, exactly as the API
 * computes the rate: (cost − advance) ÷ advance × 365 days ÷ time to maturity, in parts per million, with
 * bigints only (cost = the face amount financed for a purchase, the repayment for a pledge).
 */
const YEAR = 365n * 86_400n;
const MILLION = 1_000_000n;

/** Rate in ppm of an advance (rounded half-up, as the API rounds). */
export function rateOf(cost: bigint, advance: bigint, secondsToMaturity: bigint): bigint | undefined {
  if (advance <= 0n || secondsToMaturity <= 0n || cost < advance) return undefined;
  const numerator = (cost - advance) * YEAR * MILLION;
  const denominator = advance * secondsToMaturity;
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/** The advance that gives a rate (ppm), rounded down to a base unit (the bank never pays more than it meant). */
export function advanceOf(cost: bigint, ratePpm: bigint, secondsToMaturity: bigint): bigint | undefined {
  if (ratePpm < 0n || secondsToMaturity <= 0n) return undefined;
  return (cost * YEAR * MILLION) / (YEAR * MILLION + ratePpm * secondsToMaturity);
}

/** "5.25" (percent, up to 4 decimals) → 52_500 ppm. */
export function parsePercent(text: string): bigint | undefined {
  const match = /^(\d{1,4})(?:\.(\d{0,4}))?$/.exec(text.trim());
  if (match === null) return undefined;
  return BigInt(match[1] ?? "0") * 10_000n + BigInt((match[2] ?? "").padEnd(4, "0") || "0");
}

/** 52_500 ppm → "5.2500". */
export function formatPercent(ppm: bigint): string {
  return `${ppm / 10_000n}.${(ppm % 10_000n).toString().padStart(4, "0")}`;
}
