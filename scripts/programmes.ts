// Small actions on risk-sharing programmes (issue 13) shared by the tests, the benchmarks and the scripts.
// Imports nothing from `hardhat`, so it runs against any JSON-RPC chain.
import type { ContractTransactionReceipt } from "ethers";
import type { IRiskProgramme, RiskProgramme } from "../typechain-types";

export type Terms = IRiskProgramme.TermsStruct;
export type Enrolment = IRiskProgramme.EnrolmentStruct;

/** The enrolment a financing's receipt carries (`FinancingEnrolled`), as `paySubsidy`, `claim` and `lapse`
 * take it back. Throws when the financing was not enrolled. */
export function enrolmentFrom(programmes: RiskProgramme, receipt: ContractTransactionReceipt | null): Enrolment {
  const address = (programmes.target as string).toLowerCase();
  for (const log of receipt?.logs ?? []) {
    if (log.address.toLowerCase() !== address) continue;
    const parsed = programmes.interface.parseLog(log);
    if (parsed?.name !== "FinancingEnrolled") continue;
    const e = parsed.args.enrolment as IRiskProgramme.EnrolmentStructOutput;
    return {
      programmeId: e.programmeId,
      version: e.version,
      financedId: e.financedId,
      financier: e.financier,
      supplier: e.supplier,
      obligor: e.obligor,
      mode: e.mode,
      amount: e.amount,
      advance: e.advance,
      repayment: e.repayment,
      maturity: e.maturity,
      enrolledAt: e.enrolledAt,
      coverage: e.coverage,
      subsidy: e.subsidy,
      subsidyRecipient: e.subsidyRecipient,
    };
  }
  throw new Error("enrolmentFrom: the receipt has no FinancingEnrolled event");
}

/** The id `createProgramme`'s receipt reports (`ProgrammeCreated`). */
export function programmeIdFrom(programmes: RiskProgramme, receipt: ContractTransactionReceipt | null): bigint {
  const address = (programmes.target as string).toLowerCase();
  for (const log of receipt?.logs ?? []) {
    if (log.address.toLowerCase() !== address) continue;
    const parsed = programmes.interface.parseLog(log);
    if (parsed?.name === "ProgrammeCreated") return parsed.args.programmeId as bigint;
  }
  throw new Error("programmeIdFrom: the receipt has no ProgrammeCreated event");
}
