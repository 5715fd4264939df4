// Issue 13's gas benchmark held as a test: enrolment adds at most 60,000 gas to the same acceptance without
// it. The figures come from the measurement `npm run bench:gas` prints (bench/gasRisk.ts).
import { expect } from "chai";
import { ENROLLED_PURCHASE_ROW, ENROLMENT_GAS_BUDGET, measureRiskGas, PLAIN_PURCHASE_ROW } from "../bench/gasRisk";
import type { GasRow } from "../bench/gas";

describe("RiskProgramme: gas budgets", () => {
  let rows: GasRow[];

  before(async () => {
    rows = await measureRiskGas();
  });

  it(`accept quote with enrolment costs at most ${ENROLMENT_GAS_BUDGET} more than without`, () => {
    const plain = rows.find((r) => r.operation === PLAIN_PURCHASE_ROW)!;
    const enrolled = rows.find((r) => r.operation === ENROLLED_PURCHASE_ROW)!;
    const extra = enrolled.gasUsed - plain.gasUsed;
    expect(extra > 0n, `enrolment added ${extra}`).to.equal(true);
    expect(extra <= ENROLMENT_GAS_BUDGET, `enrolment added ${extra} > ${ENROLMENT_GAS_BUDGET}`).to.equal(true);
  });

  it("measures every operation above its EVM lower bound (else the bound is miscounted)", () => {
    expect(rows.map((r) => r.operation)).to.have.length(5);
    for (const row of rows) expect(row.gasUsed > row.lowerBound, `${row.operation}: ${row.gasUsed} <= ${row.lowerBound}`).to.equal(true);
  });
});
