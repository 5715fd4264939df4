/**
 * Charts draw bars with floating-point geometry: this is the one place an amount becomes a `number`, in
 * whole currency units and only for drawing. Every figure shown as text still goes through formatAmount.
 */
export function chartNumber(value: bigint | string, decimals: number): number {
  const amount = typeof value === "bigint" ? value : BigInt(value);
  const scale = 10n ** BigInt(decimals);
  // Whole units then hundredths: exact enough for a bar's height, and safe far beyond any real face.
  return Number(amount / scale) + Number(((amount % scale) * 100n) / scale) / 100;
}
