// The fixed gas budgets, held as a test so that no change can quietly break them. The figures
// come from the same measurement `npm run bench:gas` prints (bench/gas.ts).
import { expect } from "chai";
import { CONFIRM_WITH_SIGNATURE_BUDGET, measureLedgerGas, type GasRow } from "../bench/gas";

describe("ReceivableToken: gas budgets", () => {
  let rows: GasRow[];

  before(async () => {
    rows = await measureLedgerGas();
  });

  const budgets: [string, bigint][] = [
    // 170,000 (issue 2) + the invoice-number commitment's slot (issue 8 item 3); see bench/gas.ts.
    ["confirm with signature", CONFIRM_WITH_SIGNATURE_BUDGET],
    ["split-and-transfer to a new holder (offer + accept)", 150_000n],
    ["whole transfer (offer + accept)", 90_000n],
    ["pledge", 60_000n],
    ["pledge of a fresh root", 60_000n],
  ];
  for (const [operation, budget] of budgets) {
    it(`${operation} stays within ${budget} gas`, () => {
      const row = rows.find((r) => r.operation === operation);
      expect(row, operation).to.not.equal(undefined);
      expect(row!.gasUsed <= budget, `${operation}: ${row!.gasUsed} > ${budget}`).to.equal(true);
      // Above the EVM's own lower bound, or the bound is miscounted.
      expect(row!.gasUsed > row!.lowerBound, `${operation}: ${row!.gasUsed} <= bound ${row!.lowerBound}`).to.equal(true);
    });
  }
});
