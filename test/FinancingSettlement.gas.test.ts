// The settlement's gas budgets from issue 3, held as a test so that no change can quietly break them.
// The figures come from the same measurement `npm run bench:gas` prints (bench/gasSettlement.ts).
import { expect } from "chai";
import { measureSettlementGas } from "../bench/gasSettlement";
import type { GasRow } from "../bench/gas";

describe("FinancingSettlement and RepaymentVault: gas budgets", () => {
  let rows: GasRow[];

  before(async () => {
    rows = await measureSettlementGas();
  });

  // Accept-quote's budget is issue 3's 200,000, and issue 8 lets the exposure check add at most 10,000 to
  // the 186,340 measured before it: the tighter of the two holds.
  const budgets: [string, bigint][] = [
    ["accept quote: purchase of a part (incl. the advance's ERC-20 transfer)", 186_340n + 10_000n],
    ["deposit (at maturity, first into its pool)", 100_000n],
    ["redeem (full funding, burns)", 80_000n],
  ];
  for (const [operation, budget] of budgets) {
    it(`${operation} stays within ${budget} gas`, () => {
      const row = rows.find((r) => r.operation === operation);
      expect(row, operation).to.not.equal(undefined);
      expect(row!.gasUsed <= budget, `${operation}: ${row!.gasUsed} > ${budget}`).to.equal(true);
    });
  }

  it("measures every operation above its EVM lower bound (else the bound is miscounted)", () => {
    expect(rows.map((r) => r.operation)).to.have.length(6);
    for (const row of rows) expect(row.gasUsed > row.lowerBound, `${row.operation}: ${row.gasUsed} <= ${row.lowerBound}`).to.equal(true);
  });
});
