import { z } from "zod";
import { Address, AddressOut, Bytes32, HexBytes, IsoDate, PageQuery, PositiveUint256, Uint256, Uint256Out, page, typedDataOut } from "../../api/schemas";
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
    evidenceHash: z.string().meta({ description: "keccak256 of the quote's due-diligence record, signed in the quote (GET /v1/quotes/{id}/evidence)" }),
    status: z.enum(["OPEN", "ACCEPTED", "CANCELLED", "REVISED", "CLOSED"]),
    effectiveAnnualRate: z
      .object({ ppm: z.string(), percent: z.string() })
      .nullable()
      .meta({ description: "(cost − advance) ÷ advance × 365 days ÷ time to maturity; cost = amount (purchase) or repayment (pledge); exact, rounded half-up to 1 ppm" }),
    programmeId: Uint256Out.meta({ description: "the risk-sharing programme the financing is enrolled in on acceptance (enrol or fail); \"0\": none" }),
    subsidy: z
      .object({
        amount: Uint256Out.meta({ description: "the interest subsidy if accepted now: amount × subsidy bps × whole days to maturity ÷ (10 000 × 365), rounded down, as the programme computes it" }),
        recipient: z.enum(["HOLDER", "FINANCIER"]),
        effectiveAnnualRate: z
          .object({ ppm: z.string(), percent: z.string() })
          .nullable()
          .meta({ description: "the holder's effective annual rate after the subsidy (cost − subsidy against the advance); null when the financier receives it" }),
      })
      .nullable()
      .meta({ description: "null for a quote without a programme" }),
    secondsToMaturity: z.number().int(),
    supersedes: z.string().nullable(),
    acceptedTxHash: z.string().nullable(),
    createdAt: IsoDate,
  })
  .meta({ id: "Quote" });

/** What a financier adds to a quote's due-diligence record (issue 12 item 6). */
const EvidenceFields = {
  documents: z
    .array(z.object({ name: z.string().trim().min(1).max(200), hash: Bytes32.meta({ description: "keccak256 (or other 32-byte digest) of the document" }) }).strict())
    .max(50)
    .optional()
    .meta({ description: "documents the financier read for this decision, by hash (the invoice and the parties' KYC documents are recorded without asking)" }),
  notes: z.string().trim().min(1).max(2000).optional().meta({ description: "the financier's rationale, kept in the record" }),
};

const QuoteFields = {
  advance: PositiveUint256.meta({ description: "what the financier pays the holder, in base units" }),
  mode: FinancingMode.optional().meta({ description: "required when the request accepts ANY" }),
  repayment: Uint256.optional().meta({ description: "pledge: what the holder owes back (default: the amount)" }),
  amount: PositiveUint256.optional().meta({ description: "face amount financed (default: the request's amount)" }),
  expiry: z.number().int().positive().meta({ description: "unix seconds until which the holder may accept" }),
  programmeId: PositiveUint256.optional().meta({
    description: "enrol the financing in this risk-sharing programme on acceptance (enrol or fail); refused now when the programme could not take it (404, 409 RiskCurrencyMismatch / RiskFinancierNotParticipating / RiskNotWhitelisted)",
  }),
};

/** A financier keeping its own key signs a draft's typed data and sends both; a custodial one sends neither. */
const SignedDraft = {
  draftId: z.uuid().optional().meta({ description: "with `signature`: the quote draft (prepareQuote) whose typed data the financier signed" }),
  signature: HexBytes.optional().meta({ description: "with `draftId`: the financier's EIP-712 signature of the draft's typed data" }),
};
const bothOrNeither = (b: { draftId?: string | undefined; signature?: string | undefined }) => (b.draftId === undefined) === (b.signature === undefined);
const BOTH_OR_NEITHER = { message: "send `draftId` and `signature` together, or neither", path: ["signature"] };

export const PrepareQuoteBody = z.object({ ...QuoteFields, ...EvidenceFields }).strict().meta({ id: "PrepareQuote" });

export const SubmitQuoteBody = z
  .object({ ...QuoteFields, ...EvidenceFields, ...SignedDraft })
  .strict()
  .refine(bothOrNeither, BOTH_OR_NEITHER)
  .meta({ id: "SubmitQuote" });

export const ReviseQuoteBody = z
  .object({
    advance: PositiveUint256,
    repayment: Uint256.optional(),
    expiry: z.number().int().positive().optional(),
    ...EvidenceFields,
    ...SignedDraft,
  })
  .strict()
  .refine(bothOrNeither, BOTH_OR_NEITHER)
  .meta({ id: "ReviseQuote" });

export const QuoteDraftOut = z
  .object({
    draftId: z.uuid(),
    evidenceHash: z.string().meta({ description: "keccak256 of the record's canonical JSON; the typed data's `evidenceHash`" }),
    record: z.record(z.string(), z.unknown()).meta({ description: "the decision record, frozen now" }),
    expiresAt: IsoDate.meta({ description: "submit the signed quote before this instant" }),
    typedData: typedDataOut("Quote", "QuoteTypedData"),
  })
  .meta({ id: "QuoteDraft" });

export const QuoteEvidenceOut = z
  .object({
    quoteId: z.uuid(),
    quoteHash: z.string(),
    evidenceHash: z.string(),
    record: z.record(z.string(), z.unknown()).nullable().meta({ description: "null for a quote placed before records were kept" }),
    recordJson: z.string().nullable().meta({ description: "the exact bytes hashed (UTF-8): keccak256(recordJson) = evidenceHash" }),
    financing: z
      .object({ txHash: z.string(), blockNumber: z.string(), financedId: Uint256Out, evidenceHash: z.string().meta({ description: "as the chain emitted it with QuoteAccepted" }) })
      .nullable(),
    checks: z.object({
      recordMatchesHash: z.boolean(),
      quoteSignsHash: z.boolean().meta({ description: "the quote's EIP-712 digest, with this evidenceHash, is its quoteHash" }),
      anchoredOnChain: z.boolean().nullable().meta({ description: "null until the quote is accepted" }),
    }),
  })
  .meta({ id: "QuoteEvidence" });

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
        tree: z
          .object({
            rootId: Uint256Out,
            overdue: z.boolean().meta({ description: "the tree was marked overdue on chain (maturity + grace passed unpaid) and no late deposit cured it" }),
            frozen: z.boolean().meta({ description: "under a dispute" }),
          })
          .nullable(),
        txHash: z.string(),
        registration: RegistrationStateOut,
      }),
    ),
    unregisteredOverdue: z.number().int().meta({ description: "financings unregistered for longer than API_REGISTRATION_DUE_DAYS" }),
    overdue: z.number().int().meta({ description: "open financings (still owed money) in trees marked overdue" }),
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
