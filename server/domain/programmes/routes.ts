// Routes of risk-sharing programmes (issue 13 item 8): what each programme's participants see, and the
// export funders report from. Reads only: programmes are run on chain (RiskProgramme).
import { z } from "zod";
import { defineRoute, type AnyRoute } from "../../api/route";
import { AddressOut, Uint256, Uint256Out, TxHash } from "../../api/schemas";
import { toCsv } from "../audit/routes";
import type { DomainContext } from "../context";
import { createProgrammeService } from "./service";

const READERS = ["OPERATOR", "AUDITOR", "CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"] as const;
const ProgrammeParams = z.object({ id: Uint256 });

const Terms = z.object({
  coverageBps: z.number().int(),
  subsidyBps: z.number().int(),
  subsidyToFinancier: z.boolean(),
  capPerFinancing: Uint256Out,
  capPerEnterprise: Uint256Out,
  capPerFinancier: Uint256Out,
  waitingPeriod: z.number().int().meta({ description: "seconds after maturity + grace before a claim" }),
  claimWindow: z.number().int().meta({ description: "seconds during which a claim may be filed" }),
});

const Programme = z
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

const ProgrammePosition = Programme.extend({
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

const ENROLMENT_COLUMNS = [
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

const Enrolment = z
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

export function programmeRoutes(ctx: DomainContext): AnyRoute[] {
  const service = createProgrammeService(ctx);
  return [
    defineRoute({
      method: "get",
      path: "/v1/programmes",
      operationId: "listProgrammes",
      summary: "Risk-sharing programmes the caller takes part in (funder, participating financier, whitelisted enterprise, party to an enrolment); all for the operator and the auditor",
      tags: ["programmes"],
      access: { kind: "authenticated", roles: [...READERS] },
      response: { status: 200, description: "Programmes", schema: z.object({ items: z.array(Programme) }) },
      handler: async ({ principal }) => service.list(principal),
    }),
    defineRoute({
      method: "get",
      path: "/v1/programmes/{id}",
      operationId: "programmePosition",
      summary: "A programme's pool and every position in it, per funder, per financier and per enterprise (participants only)",
      tags: ["programmes"],
      access: { kind: "authenticated", roles: [...READERS] },
      params: ProgrammeParams,
      response: { status: 200, description: "The programme's position", schema: ProgrammePosition },
      errors: [404],
      handler: async ({ principal, params }) => service.position(principal, params.id.toString()),
    }),
    defineRoute({
      method: "get",
      path: "/v1/programmes/{id}/enrolments",
      operationId: "programmeEnrolments",
      summary: "A programme's enrolled financings, as JSON or CSV for the funders' reporting (participants only)",
      tags: ["programmes"],
      access: { kind: "authenticated", roles: [...READERS] },
      params: ProgrammeParams,
      query: z.object({ format: z.enum(["json", "csv"]).default("json") }),
      response: { status: 200, description: "application/json ({ items: ProgrammeEnrolment[] }) or text/csv", contentType: "application/json" },
      errors: [404],
      handler: async ({ principal, params, query, res }) => {
        const items = await service.enrolments(principal, params.id.toString());
        if (query.format === "json") {
          res.status(200).json({ items: z.array(Enrolment).parse(items) });
          return;
        }
        res.setHeader("Content-Disposition", `attachment; filename="programme-${params.id.toString()}-enrolments.csv"`);
        res.status(200).type("text/csv").send(toCsv(ENROLMENT_COLUMNS, items.map(({ enrolment: _struct, ...row }) => row)));
      },
    }),
  ];
}
