/**
 * Prices on one footing, in exact integers: every quote's effective annual rate from its advance, what
 * the holder gives up (the face amount financed for a purchase, the repayment for a pledge) and the time
 * to maturity. Simple annualisation, ACT/365:
 *
 *     rate = (cost - advance) / advance × (365 × 86 400) / secondsToMaturity
 *
 * computed as a rational and rounded half-up to parts per million, so two quotes compare exactly and no
 * float ever touches money.
 */

const YEAR_SECONDS = 365n * 86_400n;
const PPM = 1_000_000n;

export interface RateInput {
  advance: bigint;
  /** What the holder gives up: face amount (purchase) or repayment (pledge). */
  cost: bigint;
  secondsToMaturity: bigint;
}

/** The rate in parts per million per year (e.g. 52_143 = 5.2143 %), or null when it is undefined (no time left, no advance). */
export function effectiveAnnualRatePpm({ advance, cost, secondsToMaturity }: RateInput): bigint | null {
  if (advance <= 0n || secondsToMaturity <= 0n) return null;
  const numerator = (cost - advance) * YEAR_SECONDS * PPM;
  const denominator = advance * secondsToMaturity;
  // Half-up rounding of a possibly negative rational (a premium above face would give a negative rate).
  const sign = numerator < 0n ? -1n : 1n;
  const abs = numerator < 0n ? -numerator : numerator;
  return sign * ((abs * 2n + denominator) / (2n * denominator));
}

/** Parts per million as a percentage string with four decimals: 52_143n → "5.2143". */
export function ppmToPercent(ppm: bigint): string {
  const negative = ppm < 0n;
  const abs = negative ? -ppm : ppm;
  // ppm / 10_000 = percent; keep 4 decimals exactly.
  const whole = abs / 10_000n;
  const fraction = (abs % 10_000n).toString().padStart(4, "0");
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

/** Integer ratio in parts per thousand, rounded down; 0 for an empty denominator. */
export function perMille(part: bigint, whole: bigint): number {
  if (whole <= 0n) return 0;
  const v = (part * 1000n) / whole;
  return Number(v > 1000n ? 1000n : v < 0n ? 0n : v);
}
