import { z } from "zod";
import { Address, AddressOut, Bytes32, HexBytes, IsoDate, PageQuery, PositiveUint256, Uint256, Uint256Out, page } from "../../api/schemas";
import { ReceivableOut } from "../receivables/schemas";
import { TxOut } from "../tx";
import { REGISTRATION_NUMBER_PATTERN } from "./registrations";

export const FinancingMode = z.enum(["PURCHASE", "PLEDGE"]);

export const RegistrationStateOut = z
  .object({
    status: z.enum(["REGISTERED", "UNREGISTERED"]),
    registrationNumber: z.string().nullable(),
    registeredOn: z.string().nullable().meta({ description: "the registry's date, YYYY-MM-DD" }),
    dueBy: z.string().meta({ description: "execution day + API_REGISTRATION_DUE_DAYS, YYYY-MM-DD (UTC)" }),
    overdue: z.boolean().meta({ description: "unregistered and older than API_REGISTRATION_DUE_DAYS: flagged" }),
  })
  .meta({ id: "RegistrationState" });

export const OpenRequestBody = z
  .object({
    receivableId: Uint256,
    amount: PositiveUint256.meta({ description: "face amount to finance (all or part of the receivable)" }),
    mode: z.enum(["PURCHASE", "PLEDGE", "ANY"]).default("ANY"),
    deadline: z.number().int().positive().meta({ description: "unix seconds; quotes close then (banks compete until it)" }),
  })
  .meta({ id: "OpenFinancingRequest" });

/** A financier's own limit on one obligor: acceptQuote refuses what would take `outstanding` beyond `limit`. */
export const ExposureLimitOut = z
  .object({
    limit: Uint256Out,
    outstanding: Uint256Out.meta({ description: "financed face on the obligor not yet repaid (released)" }),
    available: Uint256Out.meta({ description: "limit − outstanding, or 0" }),
  })
  .meta({ id: "ExposureLimit" });

export const ExposureLimitsOut = z
  .object({ items: z.array(ExposureLimitOut.extend({ financier: AddressOut, obligor: AddressOut })) })
  .meta({ id: "ExposureLimits" });

export const ExposureLimitParams = z.object({ obligor: Address });
export const ExposureLimitBody = z.object({ limit: Uint256 }).meta({ id: "SetExposureLimit" });

export const RiskViewOut = z
  .object({
    receivableId: Uint256Out,
    issuer: AddressOut,
    factors: z.array(
      z.object({
        name: z.string(),
        value: z.string(),
        points: z.number().int().meta({ description: "0..1000 risk points" }),
        weight: z.number().int().meta({ description: "percent; all weights add up to 100" }),
        contribution: z.number().int().meta({ description: "points × weight ÷ 100" }),
        basis: z.string().meta({ description: "how the points are computed from the value" }),
      }),
    ),
    total: z.number().int().meta({ description: "Σ contributions (0..1000); nothing else enters it" }),
    asOf: z.number().int(),
    exposureLimit: ExposureLimitOut.nullable().meta({ description: "the viewing financier's own exposure limit on the obligor (null for anyone else)" }),
    registrations: z
      .object({
        financings: z.number().int().meta({ description: "parts of this lineage tree financed so far" }),
        registered: z.number().int().meta({ description: "of those, registered in the PBOC registry (the financier recorded the number)" }),
        unregistered: z.number().int(),
        overdue: z.number().int().meta({ description: "unregistered for longer than API_REGISTRATION_DUE_DAYS: flagged" }),
      })
      .meta({ description: "registration of the tree's financings (动产融资统一登记公示系统); not a weighted factor" }),
  })
  .meta({ id: "RiskView" });

export const RequestOut = z
  .object({
    id: z.string(),
    receivableId: Uint256Out,
    holder: AddressOut,
    issuer: AddressOut,
    amount: Uint256Out,
    currency: AddressOut.meta({ description: "the currency of `amount` (the receivable's; see GET /v1/currencies)" }),
    mode: z.enum(["PURCHASE", "PLEDGE", "ANY"]),
    deadline: z.number().int(),
    status: z.enum(["OPEN", "ACCEPTED", "CANCELLED"]),
    open: z.boolean().meta({ description: "OPEN and before its deadline" }),
    acceptedQuoteId: z.string().nullable(),
    createdAt: IsoDate,
  })
  .meta({ id: "FinancingRequest" });

export const RequestWithRiskOut = RequestOut.extend({ receivable: ReceivableOut.nullable(), risk: RiskViewOut.nullable() }).meta({ id: "FinancingRequestWithRisk" });

export const ListRequestsQuery = PageQuery.extend({ status: z.enum(["OPEN", "ACCEPTED", "CANCELLED"]).optional() });

export const RequestParams = z.object({ id: z.uuid() });
export const QuoteParams = z.object({ id: z.uuid() });

export const QuoteOut = z
  .object({
    id: z.string(),
    requestId: z.string(),
    financier: AddressOut,
    holder: AddressOut,
    receivableId: Uint256Out,
    amount: Uint256Out,
    advance: Uint256Out,
    mode: FinancingMode,
    repayment: Uint256Out,
    currency: AddressOut,
    expiry: z.number().int(),
    nonce: Uint256Out,
    quoteHash: z.string().meta({ description: "the EIP-712 digest; the quote's id on chain" }),
    signature: z.string(),
    status: z.enum(["OPEN", "ACCEPTED", "CANCELLED", "REVISED", "CLOSED"]),
    effectiveAnnualRate: z
      .object({ ppm: z.string(), percent: z.string() })
      .nullable()
      .meta({ description: "(cost − advance) ÷ advance × 365 days ÷ time to maturity; cost = amount (purchase) or repayment (pledge); exact, rounded half-up to 1 ppm" }),
    secondsToMaturity: z.number().int(),
    supersedes: z.string().nullable(),
    acceptedTxHash: z.string().nullable(),
    createdAt: IsoDate,
  })
  .meta({ id: "Quote" });

export const SubmitQuoteBody = z
  .object({
    advance: PositiveUint256.meta({ description: "what the financier pays the holder, in base units" }),
    mode: FinancingMode.optional().meta({ description: "required when the request accepts ANY" }),
    repayment: Uint256.optional().meta({ description: "pledge: what the holder owes back (default: the amount)" }),
    amount: PositiveUint256.optional().meta({ description: "face amount financed (default: the request's amount)" }),
    expiry: z.number().int().positive().meta({ description: "unix seconds until which the holder may accept" }),
    signature: HexBytes.optional().meta({ description: "for financiers that keep their own key: their EIP-712 signature of the quote" }),
    nonce: Uint256.optional().meta({ description: "with `signature`: the nonce the financier signed" }),
  })
  .meta({ id: "SubmitQuote" });

export const ReviseQuoteBody = z
  .object({
    advance: PositiveUint256,
    repayment: Uint256.optional(),
    expiry: z.number().int().positive().optional(),
    signature: HexBytes.optional(),
    nonce: Uint256.optional(),
  })
  .meta({ id: "ReviseQuote" });

export const AcceptQuoteOut = TxOut.extend({ financedId: Uint256Out, quoteHash: z.string() }).meta({ id: "AcceptQuoteResult" });

export const PortfolioOut = z
  .object({
    financier: AddressOut,
    totals: z.array(z.object({ currency: AddressOut, advanced: Uint256Out, expected: Uint256Out, received: Uint256Out })).meta({ description: "per currency (amounts of different currencies are never added)" }),
    items: z.array(
      z.object({
        quoteHash: z.string(),
        currency: AddressOut,
        financedId: Uint256Out,
        receivableId: Uint256Out,
        mode: FinancingMode,
        holder: AddressOut,
        issuer: AddressOut.nullable(),
        maturity: z.number().int().nullable(),
        amount: Uint256Out,
        advance: Uint256Out,
        expected: Uint256Out,
        received: Uint256Out,
        outstanding: Uint256Out,
        status: z.enum(["OPEN", "SETTLED"]),
        txHash: z.string(),
        registration: RegistrationStateOut,
      }),
    ),
    unregisteredOverdue: z.number().int().meta({ description: "financings unregistered for longer than API_REGISTRATION_DUE_DAYS" }),
  })
  .meta({ id: "Portfolio" });

export const ExposureOut = z
  .object({
    financier: AddressOut,
    totals: z.array(z.object({ currency: AddressOut, total: Uint256Out })).meta({ description: "per currency (amounts of different currencies are never added)" }),
    items: z.array(
      z.object({
        obligor: AddressOut,
        currency: AddressOut,
        held: Uint256Out,
        pledged: Uint256Out,
        quoted: Uint256Out,
        total: Uint256Out,
        sharePpm: z.number().int().meta({ description: "share of the financier's total in this currency, parts per million" }),
      }),
    ),
  })
  .meta({ id: "Exposure" });

export const RequestPage = page(RequestWithRiskOut).meta({ id: "FinancingRequestPage" });

// ─── registration of transfers and pledges (issue 12 item 4) ─────────────────



const RegistrationParty = z.object({
  address: AddressOut,
  role: z.string().nullable().meta({ description: "the organisation's role on the ledger" }),
  kycHash: z.string().nullable().meta({ description: "hash of its off-chain KYC record, as registered on chain" }),
  name: z.string().nullable().meta({ description: "legal name (Chinese) from its approved profile (null without one)" }),
  nameEn: z.string().nullable().meta({ description: "English legal name from its approved profile, when it has one" }),
  creditCode: z.string().nullable().meta({ description: "unified social credit code from its approved profile (null without one)" }),
  registeredAddress: z.string().nullable().meta({ description: "registered address from its approved profile (null without one)" }),
});

export const RegistrationRecordOut = z
  .object({
    financing: z.object({
      quoteHash: z.string(),
      mode: FinancingMode,
      registrationType: z.enum(["TRANSFER", "PLEDGE"]).meta({ description: "应收账款转让 (a purchase) or 应收账款质押 (a pledge)" }),
      executedAt: z.string(),
      txHash: z.string(),
      blockNumber: z.number().int(),
    }),
    parties: z.object({
      financier: RegistrationParty.extend({ capacity: z.enum(["TRANSFEREE", "PLEDGEE"]) }),
      holder: RegistrationParty.extend({ capacity: z.enum(["TRANSFEROR", "PLEDGOR"]) }),
      debtor: RegistrationParty.extend({ capacity: z.literal("DEBTOR") }).nullable(),
    }),
    receivable: z.object({
      financedId: Uint256Out,
      receivableId: Uint256Out,
      rootId: Uint256Out,
      invoiceHash: z.string().nullable(),
      invoiceNumberCommitment: z.string().nullable().meta({ description: "keccak256 of the normalised invoice number, as the chain holds it" }),
      invoiceNumber: z.string().nullable().meta({ description: "the number its supplier registered through this API (null otherwise)" }),
      currency: z.object({ address: AddressOut, symbol: z.string().nullable(), decimals: z.number().int().nullable() }),
      amount: Uint256Out,
      maturity: z.string().meta({ description: "YYYY-MM-DD" }),
      description: z.string(),
    }),
    amounts: z.object({ currency: AddressOut, financed: Uint256Out, advance: Uint256Out, securedClaim: Uint256Out.nullable().meta({ description: "a pledge's repayment (the secured claim); null for a transfer" }) }),
    registrationPeriod: z.object({ months: z.number().int(), from: z.string(), to: z.string() }).meta({
      description: "months from execution to maturity (rounded up) plus 6, at most 360, from the registration day (today while unregistered)",
    }),
    registration: RegistrationStateOut.extend({ recordedAt: z.string().nullable() }),
  })
  .meta({ id: "RegistrationRecord" });

export const FinancingParams = z.object({ quoteHash: Bytes32 });
export const RegistrationQuery = z.object({ format: z.enum(["json", "csv"]).default("json") });

export const RecordRegistrationBody = z
  .object({
    registrationNumber: z
      .string()
      .regex(REGISTRATION_NUMBER_PATTERN, "10–40 digits and capital letters, as the registry's certificate shows it")
      .meta({ description: "the registry's registration number (登记编号)" }),
    registeredOn: z.iso.date().meta({ description: "the registration date, YYYY-MM-DD: not before the financing, not in the future" }),
  })
  .meta({ id: "RecordRegistration" });
