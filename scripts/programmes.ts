// Small actions on risk-sharing programmes (issue 13) shared by the tests, the benchmarks and the scripts.
// Imports nothing from `hardhat`, so it runs against any JSON-RPC chain.
import type { ContractTransactionReceipt } from "ethers";
import type { IRiskProgramme, RiskProgramme } from "../typechain-types";
import { requireEvent } from "../server/lib/receipt";

export type Terms = IRiskProgramme.TermsStruct;
export type Enrolment = IRiskProgramme.EnrolmentStruct;

/** The enrolment a financing's receipt carries (`FinancingEnrolled`), as `paySubsidy`, `claim` and `lapse`
 * take it back. Throws when the financing was not enrolled. */
export function enrolmentFrom(programmes: RiskProgramme, receipt: ContractTransactionReceipt | null): Enrolment {
  const e = requireEvent(programmes, receipt?.logs ?? [], "FinancingEnrolled", programmes.target as string).enrolment;
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

/** The id `createProgramme`'s receipt reports (`ProgrammeCreated`). */
export function programmeIdFrom(programmes: RiskProgramme, receipt: ContractTransactionReceipt | null): bigint {
  return requireEvent(programmes, receipt?.logs ?? [], "ProgrammeCreated", programmes.target as string).programmeId;
}
