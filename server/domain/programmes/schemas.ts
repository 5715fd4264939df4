// The HTTP words of risk-sharing programmes (issue 13 item 8): the zod schemas the programme routes
// answer with, also the OpenAPI document's components. Amounts are decimal strings, never numbers.
import { z } from "zod";
import { AddressOut, Uint256, Uint256Out, TxHash } from "../../api/schemas";

export const ProgrammeParams = z.object({ id: Uint256 });

export const Terms = z.object({
  coverageBps: z.number().int(),
  subsidyBps: z.number().int(),
  subsidyToFinancier: z.boolean(),
  capPerFinancing: Uint256Out,
  capPerEnterprise: Uint256Out,
  capPerFinancier: Uint256Out,
  waitingPeriod: z.number().int().meta({ description: "seconds after maturity + grace before a claim" }),
  claimWindow: z.number().int().meta({ description: "seconds during which a claim may be filed" }),
});

export const Programme = z
  .object({
    id: Uint256Out,
    admin: AddressOut,
    currency: AddressOut,
    version: z.number().int().meta({ description: "current terms version (later enrolments use it)" }),
    terms: Terms,
    committed: Uint256Out,
    paidIn: Uint256Out,
    reserved: Uint256Out.meta({ description: "coverage and subsidies reserved for open enrolments" }),
    subsidiesPaid: Uint256Out,
    compensationPaid: Uint256Out,
    recovered: Uint256Out.meta({ description: "the pool's share of recoveries paid back to it" }),
    balance: Uint256Out.meta({ description: "paid in − subsidies − compensation + recovered" }),
    available: Uint256Out.meta({ description: "balance − reserved" }),
  })
  .meta({ id: "Programme" });

export const ProgrammePosition = Programme.extend({
  funders: z.array(z.object({ funder: AddressOut, committed: Uint256Out, paidIn: Uint256Out })),
  financiers: z.array(
    z.object({
      financier: AddressOut,
      quota: Uint256Out,
      enrolled: Uint256Out.meta({ description: "advances enrolled, ever" }),
      reserved: Uint256Out,
      compensationReceived: Uint256Out,
      recoveredToPool: Uint256Out,
      subsidiesReceived: Uint256Out,
    }),
  ),
  enterprises: z.array(
    z.object({
      enterprise: AddressOut,
      validFrom: z.number().int().nullable(),
      validUntil: z.number().int().nullable(),
      certificateHash: z.string().nullable(),
      enrolled: Uint256Out,
      reserved: Uint256Out,
      subsidiesReceived: Uint256Out,
    }),
  ),
}).meta({ id: "ProgrammePosition" });

export const ENROLMENT_COLUMNS = [
  "financedId",
  "programmeId",
  "version",
  "financier",
  "supplier",
  "obligor",
  "mode",
  "amount",
  "advance",
  "repayment",
  "maturity",
  "enrolledAt",
  "coverage",
  "subsidy",
  "subsidyRecipient",
  "status",
  "subsidyPaid",
  "loss",
  "compensation",
  "recovered",
  "poolShare",
  "txHash",
] as const;

export const Enrolment = z
  .object({
    financedId: Uint256Out,
    programmeId: Uint256Out,
    version: z.number().int(),
    financier: AddressOut,
    supplier: AddressOut,
    obligor: AddressOut,
    mode: z.enum(["PURCHASE", "PLEDGE"]),
    amount: Uint256Out,
    advance: Uint256Out,
    repayment: Uint256Out,
    maturity: z.number().int(),
    enrolledAt: z.number().int(),
    coverage: Uint256Out,
    subsidy: Uint256Out,
    subsidyRecipient: AddressOut,
    status: z.enum(["ENROLLED", "REPAID", "CLAIMED", "LAPSED", "WRITTEN_OFF"]),
    subsidyPaid: Uint256Out,
    loss: Uint256Out,
    compensation: Uint256Out,
    recovered: Uint256Out,
    poolShare: Uint256Out,
    txHash: TxHash,
    enrolment: z.record(z.string(), z.string()).meta({ description: "the Enrolment struct as the contract hashed it (paySubsidy, claim and shareRecovery take it back)" }),
  })
  .meta({ id: "ProgrammeEnrolment" });

export const EnrolmentsQuery = z.object({ format: z.enum(["json", "csv"]).default("json") });
