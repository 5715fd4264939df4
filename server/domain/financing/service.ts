/**
 * Financing negotiation off chain, execution on chain. A holder opens a request (amount wanted, mode,
 * a deadline after which no quotes are taken); financiers see open requests with a risk view and submit
 * EIP-712 signed quotes (signed here with their custodial key, or by themselves and relayed); the holder
 * compares quotes by effective annual rate and accepts one, which the financing settlement executes
 * atomically. Revising or cancelling a quote cancels its signature on chain, so it can never be used.
 */
import { randomUUID } from "node:crypto";
import { ZeroHash } from "ethers";
import type { Principal } from "../../auth/principal";
import type { FinancingQuote, FinancingRequest } from "../../db/generated/sqlite/client";
import { AppError, ChainUnavailableError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../lib/appErrors";
import { toDecimal } from "../../lib/encode";
import { requireEvent } from "../../lib/receipt";
import { QUOTE_TYPES, quoteDigest, quoteDomain, recoverQuoteSigner, type Quote } from "../../lib/typedData";
import { canSeeReceivable, isPrivileged, organisationOf } from "../access";
import type { DomainContext } from "../context";
import type { ReceivableService } from "../receivables/service";
import { audit, settle } from "../tx";
import { effectiveAnnualRatePpm, ppmToPercent } from "./rates";
import type { RegistrationService } from "./registrations";
import { riskViews } from "./risk";
import { createEnrolment } from "./enrolment";
import { createEvidence, QUOTE_DRAFT_TTL_MS, quoteFields, type EvidenceInput } from "./evidence";
import { MODE_NUMBER, structOf, type Mode } from "./quoteStruct";

function decodeRequestCursor(cursor: string): [bigint, string] {
  const [deadline, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (deadline === undefined || id === undefined || !/^[0-9]{1,20}$/.test(deadline) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new ValidationError("invalid cursor", [{ field: "query.cursor", message: "not a cursor this API issued", code: "custom" }]);
  }
  return [BigInt(deadline), id];
}

/** The fields a financier prices a quote with. */
interface QuoteInput {
  advance: bigint;
  mode?: Mode | undefined;
  repayment?: bigint | undefined;
  amount?: bigint | undefined;
  expiry: number;
  /** A risk-sharing programme to enrol the financing in (0 or absent: none). */
  programmeId?: bigint | undefined;
}

export function createFinancingService(
  ctx: DomainContext,
  deps: {
    receivables: ReceivableService;
    registrations: RegistrationService;
    /** Tells the request's holder of a new quote at once (the notification scheduler's sweep makes sure it is told). */
    notifyQuoteReceived?: (quote: FinancingQuote) => Promise<unknown>;
  },
) {
  const { receivables, registrations } = deps;
  const evidence = createEvidence(ctx);
  const enrolment = createEnrolment(ctx);
  const nowSec = () => Math.floor(ctx.now().getTime() / 1000);

  function financing() {
    const f = ctx.chain.financing;
    if (f === undefined) throw new ChainUnavailableError("the financing settlement contract is not configured");
    return f;
  }

  function isOpen(r: FinancingRequest): boolean {
    return r.status === "OPEN" && Number(r.deadlineMs) > ctx.now().getTime();
  }

  /** `currency`: the receivable's (a request is always in the currency of what it finances). */
  function requestView(r: FinancingRequest, currency: string) {
    return {
      id: r.id,
      receivableId: r.receivableId,
      holder: r.holder,
      issuer: r.issuer,
      amount: r.amount,
      currency,
      mode: r.mode as Mode | "ANY",
      deadline: Math.floor(Number(r.deadlineMs) / 1000),
      status: r.status as "OPEN" | "ACCEPTED" | "CANCELLED",
      open: isOpen(r),
      acceptedQuoteId: r.acceptedQuoteId,
      createdAt: new Date(Number(r.createdAtMs)).toISOString(),
    };
  }

  async function quoteViews(quotes: FinancingQuote[]) {
    const ids = [...new Set(quotes.map((q) => q.receivableId))];
    const rows = await ctx.db.receivable.findMany({ where: { id: { in: ids } }, select: { id: true, maturity: true } });
    const maturityOf = new Map(rows.map((r) => [r.id, Number(r.maturity)]));
    const now = nowSec();
    const costOf = (q: FinancingQuote) => (q.mode === "PLEDGE" ? BigInt(q.repayment) : BigInt(q.amount));
    const subsidies = await enrolment.subsidiesOf(
      quotes.map((q) => ({ ...q, cost: costOf(q), maturity: BigInt(maturityOf.get(q.receivableId) ?? now) })),
      now,
    );
    return quotes.map((q) => {
      const seconds = BigInt(Math.max(0, (maturityOf.get(q.receivableId) ?? now) - now));
      const ppm = effectiveAnnualRatePpm({ advance: BigInt(q.advance), cost: costOf(q), secondsToMaturity: seconds });
      return {
        id: q.id,
        requestId: q.requestId,
        financier: q.financier,
        holder: q.holder,
        receivableId: q.receivableId,
        amount: q.amount,
        advance: q.advance,
        mode: q.mode as Mode,
        repayment: q.repayment,
        currency: q.currency,
        expiry: Number(q.expiry),
        nonce: q.nonce,
        quoteHash: q.quoteHash,
        signature: q.signature,
        evidenceHash: q.evidenceHash,
        status: q.status as "OPEN" | "ACCEPTED" | "CANCELLED" | "REVISED" | "CLOSED",
        effectiveAnnualRate: ppm === null ? null : { ppm: ppm.toString(), percent: ppmToPercent(ppm) },
        programmeId: q.programmeId,
        subsidy: subsidies.get(q.id) ?? null,
        secondsToMaturity: Number(seconds),
        supersedes: q.supersedes,
        acceptedTxHash: q.acceptedTxHash,
        createdAt: new Date(Number(q.createdAtMs)).toISOString(),
      };
    });
  }

  /** A request visible to the caller: its holder, any financier while it is open or once it quoted, operator, auditor. */
  async function visibleRequest(principal: Principal, id: string): Promise<FinancingRequest> {
    const r = await ctx.db.financingRequest.findUnique({ where: { id } });
    const org = organisationOf(principal);
    let ok = r !== null && (isPrivileged(principal) || r.holder === org);
    if (!ok && r !== null && principal.kind === "ORGANISATION" && principal.role === "FINANCIER") {
      ok = isOpen(r) || (await ctx.db.financingQuote.findFirst({ where: { requestId: r.id, financier: org ?? "" }, select: { id: true } })) !== null;
    }
    if (!ok || r === null) throw new NotFoundError("financing request", id);
    return r;
  }

  /** A quote visible to the caller: its financier, the holder it names, operator, auditor. Another bank's quote is "not found". */
  async function visibleQuote(principal: Principal, id: string): Promise<FinancingQuote> {
    const q = await ctx.db.financingQuote.findUnique({ where: { id } });
    const org = organisationOf(principal);
    if (q === null || !(isPrivileged(principal) || q.financier === org || q.holder === org)) throw new NotFoundError("quote", id);
    return q;
  }

  /** A financier's own exposure limit and outstanding financed face on each obligor (no limit set: 0, 0). */
  async function exposuresOf(financier: string, obligors: readonly string[]) {
    const rows = await ctx.db.exposure.findMany({ where: { financier, obligor: { in: [...obligors] } } });
    const byObligor = new Map(rows.map((e) => [e.obligor, e]));
    return new Map(
      obligors.map((obligor) => {
        const e = byObligor.get(obligor);
        const limit = BigInt(e?.exposureLimit ?? "0");
        const outstanding = BigInt(e?.outstanding ?? "0");
        return [obligor, { limit: toDecimal(limit), outstanding: toDecimal(outstanding), available: toDecimal(limit > outstanding ? limit - outstanding : 0n) }];
      }),
    );
  }

  /**
   * Per lineage tree: how many of its parts were financed, and how many of those financings are
   * registered in the PBOC registry, unregistered, and unregistered past the due days (flagged). The
   * registry is public; counts are all the market sees of the financings of others.
   */
  async function registrationsByTree(rootIds: readonly string[]) {
    const parts = await ctx.db.receivable.findMany({ where: { rootId: { in: [...rootIds] } }, select: { id: true, rootId: true } });
    const rootOf = new Map(parts.map((p) => [p.id, p.rootId]));
    const executions = await ctx.db.financingExecution.findMany({ where: { financedId: { in: parts.map((p) => p.id) } }, select: { quoteHash: true, financedId: true, blockTimestamp: true } });
    const states = await registrations.statesOf(executions);
    const out = new Map<string, { financings: number; registered: number; unregistered: number; overdue: number }>();
    for (const e of executions) {
      const rootId = rootOf.get(e.financedId) ?? "";
      const counts = out.get(rootId) ?? { financings: 0, registered: 0, unregistered: 0, overdue: 0 };
      const state = states.get(e.quoteHash);
      counts.financings += 1;
      if (state?.status === "REGISTERED") counts.registered += 1;
      else counts.unregistered += 1;
      if (state?.overdue === true) counts.overdue += 1;
      out.set(rootId, counts);
    }
    return out;
  }

  /** Requests with their receivable and risk view; a financier also sees its own exposure limit on the obligor. */
  async function withRisk(principal: Principal, requests: FinancingRequest[]) {
    const rows = await ctx.reads.receivables(requests.map((r) => r.receivableId));
    const views = await receivables.views(rows);
    const viewOf = new Map(views.map((v) => [v.id, v]));
    const risks = await riskViews(
      ctx.reads,
      views.map((v) => ({ receivableId: v.id, issuer: v.issuer, rootId: v.rootId, maturity: v.maturity, depth: v.depth, tier: v.tier })),
      nowSec(),
    );
    const treeRegistrations = await registrationsByTree([...new Set(views.map((v) => v.rootId))]);
    const viewer = principal.kind === "ORGANISATION" && principal.role === "FINANCIER" ? organisationOf(principal) : undefined;
    const exposures: Map<string, { limit: string; outstanding: string; available: string }> =
      viewer === undefined ? new Map<string, { limit: string; outstanding: string; available: string }>() : await exposuresOf(viewer, [...new Set(requests.map((r) => r.issuer))]);
    return requests.map((r) => {
      const risk = risks.get(r.receivableId);
      return {
        ...requestView(r, viewOf.get(r.receivableId)?.currency ?? ""),
        receivable: viewOf.get(r.receivableId) ?? null,
        risk:
          risk === undefined
            ? null
            : {
                ...risk,
                exposureLimit: exposures.get(r.issuer) ?? null,
                registrations: treeRegistrations.get(viewOf.get(r.receivableId)?.rootId ?? "") ?? { financings: 0, registered: 0, unregistered: 0, overdue: 0 },
              },
      };
    });
  }

  async function nextNonce(financier: string): Promise<bigint> {
    const [count, minNonce] = await Promise.all([
      ctx.db.financingQuote.count({ where: { financier } }),
      ctx.db.financierNonce.findUnique({ where: { financier } }),
    ]);
    return BigInt(minNonce?.minNonce ?? "0") + BigInt(count);
  }

  /** Validates a quote on request `requestId` from the financier's fields: the quote (its evidenceHash not set yet) and what it was decided on. */
  async function quoteFor(principal: Principal, requestId: string, input: QuoteInput, nonce?: bigint) {
    const financier = organisationOf(principal) as string;
    const r = await visibleRequest(principal, requestId);
    if (!isOpen(r)) throw new ConflictError("RequestNotOpen", "the request no longer takes quotes (accepted, cancelled or past its deadline)");
    const receivable = await ctx.db.receivable.findUnique({ where: { id: r.receivableId } });
    if (receivable === null || !(await canSeeReceivable(ctx.reads, principal, receivable, ctx.now().getTime()))) throw new NotFoundError("financing request", requestId);
    const mode: Mode | undefined = r.mode === "ANY" ? input.mode : (r.mode as Mode);
    if (mode === undefined) throw new ValidationError("mode is required for this request", [{ field: "body.mode", message: "PURCHASE or PLEDGE", code: "invalid_type" }]);
    if (input.mode !== undefined && input.mode !== mode) {
      throw new ValidationError(`the request asks for ${mode}`, [{ field: "body.mode", message: `must be ${mode}`, code: "custom" }]);
    }
    const amount = input.amount ?? BigInt(r.amount);
    const repayment = mode === "PLEDGE" ? (input.repayment ?? amount) : 0n;
    const issues = [];
    if (amount > BigInt(receivable.amount)) issues.push({ field: "body.amount", message: `at most ${receivable.amount}`, code: "too_big" });
    if (input.advance > amount) issues.push({ field: "body.advance", message: "cannot exceed the amount financed", code: "too_big" });
    if (mode === "PLEDGE" && (repayment < input.advance || repayment > amount)) {
      issues.push({ field: "body.repayment", message: "must lie between the advance and the amount", code: "custom" });
    }
    if (mode === "PURCHASE" && input.repayment !== undefined && input.repayment !== 0n) {
      issues.push({ field: "body.repayment", message: "a purchase has no repayment", code: "custom" });
    }
    if (input.expiry <= nowSec() || input.expiry >= Number(receivable.maturity)) {
      issues.push({ field: "body.expiry", message: "must be in the future and before maturity", code: "custom" });
    }
    if (issues.length > 0) throw new ValidationError("invalid quote", issues);
    const programmeId = input.programmeId ?? 0n;
    if (programmeId !== 0n) await enrolment.assertEligible(programmeId, { financier, holder: r.holder, currency: receivable.currency, expiry: BigInt(input.expiry) }, nowSec());
    const quote: Quote = {
      receivableId: BigInt(r.receivableId),
      amount,
      advance: input.advance,
      financier,
      holder: r.holder,
      mode: MODE_NUMBER[mode],
      repayment,
      currency: receivable.currency,
      expiry: BigInt(input.expiry),
      nonce: nonce ?? (await nextNonce(financier)),
      programmeId,
      evidenceHash: ZeroHash,
    };
    return { r, receivable, quote };
  }

  /** What the financier sees of the request when it decides (the request, the receivable, the risk view): what a new record freezes. */
  async function decisionOn(principal: Principal, r: FinancingRequest, rootId: string) {
    const [view] = await withRisk(principal, [r]);
    return { requestId: r.id, rootId, issuer: r.issuer, view };
  }

  async function signCustodial(quote: Quote): Promise<{ signature: string; quoteHash: string }> {
    const financingAddress = await financing().getAddress();
    const wallet = ctx.chain.signers.signerOf(quote.financier);
    if (wallet === undefined) {
      throw new ForbiddenError("NoCustodialKey", "the server does not hold this financier's key; prepare a quote draft, sign its typed data and send `draftId` and `signature`");
    }
    return { signature: await wallet.signTypedData(quoteDomain(ctx.chain.chainId, financingAddress), QUOTE_TYPES, quote), quoteHash: quoteDigest(ctx.chain.chainId, financingAddress, quote) };
  }

  async function verifySigned(quote: Quote, signature: string): Promise<{ signature: string; quoteHash: string }> {
    const financingAddress = await financing().getAddress();
    const quoteHash = quoteDigest(ctx.chain.chainId, financingAddress, quote);
    let signer: string;
    try {
      signer = recoverQuoteSigner(ctx.chain.chainId, financingAddress, quote, signature);
    } catch {
      signer = "";
    }
    if (signer !== quote.financier) {
      throw new ConflictError("FinancingInvalidSignature", "the signature is not the financier's signature of this quote", { quoteHash, financier: quote.financier });
    }
    return { signature, quoteHash };
  }

  /**
   * A custodial financier's advances are pulled from its allowance to the financing settlement when a
   * holder accepts: keep that allowance at least the sum of its open quotes' advances in the currency,
   * so any one of them can be executed. (A financier holding its own key manages its allowance itself.)
   */
  async function ensureAdvanceAllowance(financier: string, currency: string, change: { adding: bigint; replacing?: string }) {
    if (ctx.chain.signers.signerOf(financier) === undefined) return;
    const open = await ctx.db.financingQuote.findMany({ where: { financier, currency, status: "OPEN" }, select: { id: true, advance: true } });
    const needed = open.filter((q) => q.id !== change.replacing).reduce((sum, q) => sum + BigInt(q.advance), change.adding);
    const token = ctx.chain.erc20(currency);
    const spender = await financing().getAddress();
    if ((await token.allowance(financier, spender)) < needed) {
      await ctx.chain.signers.send(financier, (s) => token.connect(s).approve(spender, needed));
    }
  }

  /**
   * A quote is refused when posted if its financier could not pay its advance now: the balance (and,
   * for a financier that keeps its own key, the allowance to the financing settlement; a custodial
   * financier's allowance the server raises itself) must cover it. The answer goes to the financier
   * alone, who may see its own balance.
   */
  async function assertFinancierCanPay(financier: string, currency: string, advance: bigint) {
    const token = ctx.chain.erc20(currency);
    const spender = await financing().getAddress();
    const [balance, allowance] = await Promise.all([token.balanceOf(financier), token.allowance(financier, spender)]);
    const custodial = ctx.chain.signers.signerOf(financier) !== undefined;
    const balanceShort = advance > balance ? advance - balance : 0n;
    const allowanceShort = !custodial && advance > allowance ? advance - allowance : 0n;
    if (balanceShort === 0n && allowanceShort === 0n) return;
    const shortfall = balanceShort > allowanceShort ? balanceShort : allowanceShort;
    throw new ConflictError(
      "FinancierInsufficientFunds",
      balanceShort > 0n ? "your balance does not cover this quote's advance" : "your allowance to the financing settlement does not cover this quote's advance",
      {
        currency,
        advance: advance.toString(),
        balance: balance.toString(),
        ...(custodial ? {} : { allowance: allowance.toString(), spender: spender.toLowerCase() }),
        shortfall: shortfall.toString(),
      },
    );
  }

  /** What the holder is told when the financier cannot pay: that it cannot, never its balance or allowance. */
  function financierCannotPay(q: FinancingQuote) {
    return new ConflictError("FinancierCannotPay", "the financier cannot pay this quote's advance at the moment; accept another quote or ask the financier", {
      quoteId: q.id,
      financier: q.financier,
    });
  }

  async function cancelOnChain(q: FinancingQuote) {
    const sent = await ctx.chain.signers.send(q.financier, (s) => financing().connect(s).cancelQuote(structOf(q)));
    return sent;
  }

  return {

    async openRequest(
      principal: Principal,
      input: { receivableId: bigint; amount: bigint; mode: Mode | "ANY"; deadline: number },
    ) {
      const org = organisationOf(principal) as string;
      const view = await receivables.get(principal, input.receivableId);
      if (view.holder !== org) throw new ForbiddenError("NotHolder", "only the holder may request financing");
      if (view.financed) throw new ConflictError("ReceivableAlreadyFinanced", "this receivable was financed already", { id: view.id });
      if (view.status !== "ACTIVE") throw new ConflictError("ReceivableNotFinanceable", `the receivable is ${view.status.toLowerCase()}`, { status: view.status });
      if (input.amount > BigInt(view.amount)) {
        throw new ValidationError("amount exceeds the receivable", [{ field: "body.amount", message: `at most ${view.amount}`, code: "too_big" }]);
      }
      const now = nowSec();
      if (input.deadline <= now || input.deadline >= view.maturity) {
        throw new ValidationError("the deadline must be in the future and before maturity", [
          { field: "body.deadline", message: `between ${now} and ${view.maturity}`, code: "custom" },
        ]);
      }
      const existing = await ctx.db.financingRequest.findFirst({ where: { receivableId: view.id, status: "OPEN", deadlineMs: { gt: BigInt(ctx.now().getTime()) } } });
      if (existing !== null) throw new ConflictError("RequestAlreadyOpen", "this receivable already has an open financing request", { id: existing.id });
      const row = await ctx.db.financingRequest.create({
        data: {
          id: randomUUID(),
          receivableId: view.id,
          holder: org,
          issuer: view.issuer,
          amount: toDecimal(input.amount),
          mode: input.mode,
          deadlineMs: BigInt(input.deadline) * 1000n,
          status: "OPEN",
          acceptedQuoteId: null,
          createdAtMs: BigInt(ctx.now().getTime()),
        },
      });
      await audit(ctx, { actor: org, action: "financing.request", target: row.id, detail: { receivableId: view.id, amount: input.amount, mode: input.mode } });
      return requestView(row, view.currency);
    },

    /** Holder: its own requests. Financier: requests open to the market, each with its risk view. Operator/auditor: all. */
    async listRequests(principal: Principal, query: { status?: "OPEN" | "ACCEPTED" | "CANCELLED" | undefined; limit: number; cursor?: string | undefined }) {
      const org = organisationOf(principal);
      const financier = principal.kind === "ORGANISATION" && principal.role === "FINANCIER";
      const rows = await ctx.reads.requestPage({
        ...(isPrivileged(principal)
          ? query.status === undefined
            ? {}
            : { status: query.status }
          : financier
            ? { openAt: ctx.now().getTime() }
            : { holder: org ?? "", ...(query.status === undefined ? {} : { status: query.status }) }),
        after: query.cursor === undefined ? undefined : decodeRequestCursor(query.cursor),
        limit: query.limit + 1,
      });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: await withRisk(principal, page),
        nextCursor: rows.length > query.limit && last !== undefined ? Buffer.from(`${last.deadlineMs}|${last.id}`).toString("base64url") : null,
      };
    },

    async getRequest(principal: Principal, id: string) {
      const r = await visibleRequest(principal, id);
      const [item] = await withRisk(principal, [r]);
      return item as NonNullable<typeof item>;
    },

    async cancelRequest(principal: Principal, id: string) {
      const r = await visibleRequest(principal, id);
      if (r.holder !== organisationOf(principal)) throw new ForbiddenError("NotHolder", "only the holder may cancel its request");
      if (r.status !== "OPEN") throw new ConflictError("RequestNotOpen", `the request is ${r.status.toLowerCase()}`);
      const row = await ctx.db.financingRequest.update({ where: { id }, data: { status: "CANCELLED" } });
      await audit(ctx, { actor: r.holder, action: "financing.request.cancel", target: id });
      const receivable = await ctx.reads.receivable(r.receivableId);
      return requestView(row, receivable?.currency ?? "");
    },

    /** Quotes on a request: all of them for its holder (best rate first), only its own for a financier. */
    async listQuotes(principal: Principal, requestId: string) {
      const r = await visibleRequest(principal, requestId);
      const org = organisationOf(principal);
      const mine = isPrivileged(principal) || r.holder === org ? {} : { financier: org ?? "" };
      const quotes = await ctx.db.financingQuote.findMany({ where: { requestId, ...mine }, orderBy: { createdAtMs: "asc" } });
      const views = await quoteViews(quotes);
      // Best for the holder first: lowest effective annual rate (after a subsidy it receives), then highest advance.
      const rateOf = (v: (typeof views)[number]) => v.subsidy?.effectiveAnnualRate ?? v.effectiveAnnualRate;
      views.sort((a, b) => {
        const ra = rateOf(a) === null ? null : BigInt(rateOf(a)!.ppm);
        const rb = rateOf(b) === null ? null : BigInt(rateOf(b)!.ppm);
        if (ra !== null && rb !== null && ra !== rb) return ra < rb ? -1 : 1;
        const aa = BigInt(a.advance);
        const ab = BigInt(b.advance);
        return aa === ab ? 0 : aa > ab ? -1 : 1;
      });
      return { items: views };
    },

    async getQuote(principal: Principal, id: string) {
      const [view] = await quoteViews([await visibleQuote(principal, id)]);
      return view as NonNullable<typeof view>;
    },

    /** Financier: its quotes across requests. */
    async myQuotes(principal: Principal) {
      const org = organisationOf(principal) ?? "";
      const quotes = await ctx.db.financingQuote.findMany({ where: isPrivileged(principal) ? {} : { financier: org }, orderBy: { createdAtMs: "desc" }, take: 500 });
      return { items: await quoteViews(quotes) };
    },

    /**
     * Financier: places a quote, with the due-diligence record it was decided on. With a custodial key the
     * server builds the record, signs the quote (its evidenceHash included) and stores both. A financier that
     * keeps its own key first asks for a draft (`prepareQuote`), signs its typed data, and sends the same
     * fields with `draftId` and `signature`.
     */
    async submitQuote(principal: Principal, requestId: string, input: QuoteInput & EvidenceInput & { draftId?: string | undefined; signature?: string | undefined }, supersedes?: FinancingQuote) {
      const financier = organisationOf(principal) as string;
      const draft = input.draftId === undefined ? undefined : await evidence.draft(principal, input.draftId, requestId);
      const { r, receivable, quote } = await quoteFor(principal, requestId, input, draft === undefined ? undefined : evidence.nonceOf(draft));
      let signed: { signature: string; quoteHash: string };
      let record: { recordJson: string; evidenceHash: string };
      if (draft === undefined) {
        // A draft's record was frozen when it was prepared: only a new record reads the risk view again.
        record = await evidence.build(principal, quote, await decisionOn(principal, r, receivable.rootId), input);
        signed = await signCustodial({ ...quote, evidenceHash: record.evidenceHash });
      } else {
        evidence.assertRecords(draft, quote);
        record = { recordJson: draft.record, evidenceHash: draft.evidenceHash };
        signed = await verifySigned({ ...quote, evidenceHash: draft.evidenceHash }, input.signature as string);
      }
      await assertFinancierCanPay(financier, receivable.currency, input.advance);
      const { signature, quoteHash } = signed;
      // Each step only once the previous one held, so a failure never leaves a quote half-placed: the
      // allowance covering the new quote first (harmless alone), then the revised quote's cancellation
      // on chain, then the rows in one database transaction. A retry with the same Idempotency-Key
      // resumes after the transactions already sent.
      await ensureAdvanceAllowance(financier, receivable.currency, { adding: input.advance, ...(supersedes === undefined ? {} : { replacing: supersedes.id }) });
      const cancelled = supersedes === undefined ? undefined : await cancelOnChain(supersedes);
      const id = randomUUID();
      const row = await ctx.db.$transaction(async (tx) => {
        if (draft !== undefined) {
          // First, and conditional: of two submissions of one draft, the second waits on this row and
          // finds it used, so exactly one quote is placed.
          const linked = await tx.quoteEvidence.updateMany({ where: { id: draft.id, quoteId: null }, data: { quoteId: id } });
          if (linked.count !== 1) throw new ConflictError("QuoteDraftUsed", "a quote was placed on this draft already", { draftId: draft.id });
        }
        if (supersedes !== undefined) await tx.financingQuote.update({ where: { id: supersedes.id }, data: { status: "REVISED" } });
        const created = await tx.financingQuote.create({
          data: {
            id,
            requestId,
            financier,
            holder: r.holder,
            receivableId: r.receivableId,
            amount: toDecimal(quote.amount),
            advance: toDecimal(input.advance),
            mode: quote.mode === MODE_NUMBER.PLEDGE ? "PLEDGE" : "PURCHASE",
            repayment: toDecimal(quote.repayment),
            currency: receivable.currency,
            expiry: BigInt(input.expiry),
            nonce: toDecimal(quote.nonce),
            programmeId: toDecimal(quote.programmeId),
            quoteHash,
            signature,
            status: "OPEN",
            supersedes: supersedes?.id ?? null,
            acceptedTxHash: null,
            evidenceHash: record.evidenceHash,
            createdAtMs: BigInt(ctx.now().getTime()),
          },
        });
        if (draft === undefined) {
          await tx.quoteEvidence.create({
            data: { id: randomUUID(), requestId, financier, evidenceHash: record.evidenceHash, record: record.recordJson, quoteId: id, createdAtMs: BigInt(ctx.now().getTime()) },
          });
        }
        return created;
      });
      await audit(ctx, {
        actor: financier,
        action: supersedes === undefined ? "quote.submit" : "quote.revise",
        target: row.id,
        ...(cancelled === undefined ? {} : { txHash: cancelled.txHash }),
        detail: { requestId, advance: input.advance, quoteHash, evidenceHash: record.evidenceHash },
      });
      // Best effort here: a failure (or a crash just before) is caught up by the scheduler's sweep.
      await deps.notifyQuoteReceived?.(row).catch(() => undefined);
      const [view] = await quoteViews([row]);
      return { ...(view as NonNullable<typeof view>), ...(cancelled === undefined ? {} : { cancelledTxHash: cancelled.txHash }) };
    },

    /**
     * Financier that keeps its own key: freezes the decision record of the quote these fields make and
     * returns the EIP-712 typed data to sign (its evidenceHash is the record's hash). Nothing is placed yet.
     */
    async prepareQuote(principal: Principal, requestId: string, input: QuoteInput & EvidenceInput) {
      const financier = organisationOf(principal) as string;
      const { r, receivable, quote } = await quoteFor(principal, requestId, input);
      const record = await evidence.build(principal, quote, await decisionOn(principal, r, receivable.rootId), input);
      const draftId = randomUUID();
      await evidence.saveDraft(draftId, requestId, financier, record);
      const signedQuote = { ...quote, evidenceHash: record.evidenceHash };
      const financingAddress = await financing().getAddress();
      const domain = quoteDomain(ctx.chain.chainId, financingAddress);
      return {
        draftId,
        evidenceHash: record.evidenceHash,
        record: JSON.parse(record.recordJson) as Record<string, unknown>,
        expiresAt: new Date(ctx.now().getTime() + QUOTE_DRAFT_TTL_MS).toISOString(),
        typedData: {
          domain: { ...domain, chainId: domain.chainId.toString() },
          types: QUOTE_TYPES,
          primaryType: "Quote" as const,
          message: { ...quoteFields(signedQuote), mode: String(signedQuote.mode), evidenceHash: signedQuote.evidenceHash },
          digest: quoteDigest(ctx.chain.chainId, financingAddress, signedQuote),
        },
      };
    },

    /** The due-diligence record of a quote, with the checks that tie it to the signed quote and the chain. */
    async quoteEvidence(principal: Principal, id: string) {
      return evidence.exportOf(principal, await visibleQuote(principal, id));
    },

    /** Financier: withdraws its quote; the signature is cancelled on chain so nobody can ever execute it. */
    async cancelQuote(principal: Principal, id: string) {
      const q = await visibleQuote(principal, id);
      if (q.financier !== organisationOf(principal)) throw new ForbiddenError("NotQuoteFinancier", "only the quote's financier may cancel it");
      if (q.status !== "OPEN") throw new ConflictError("QuoteNotOpen", `the quote is ${q.status.toLowerCase()}`);
      const sent = await cancelOnChain(q);
      await ctx.db.financingQuote.update({ where: { id }, data: { status: "CANCELLED" } });
      await audit(ctx, { actor: q.financier, action: "quote.cancel", target: id, txHash: sent.txHash });
      return settle(ctx, sent);
    },

    async reviseQuote(
      principal: Principal,
      id: string,
      input: { advance: bigint; repayment?: bigint | undefined; expiry?: number | undefined; draftId?: string | undefined; signature?: string | undefined } & EvidenceInput,
    ) {
      const q = await visibleQuote(principal, id);
      if (q.financier !== organisationOf(principal)) throw new ForbiddenError("NotQuoteFinancier", "only the quote's financier may revise it");
      if (q.status !== "OPEN") throw new ConflictError("QuoteNotOpen", `the quote is ${q.status.toLowerCase()}`);
      const revised = await this.submitQuote(
        principal,
        q.requestId,
        {
          ...input,
          mode: q.mode as Mode,
          repayment: input.repayment ?? (q.mode === "PLEDGE" ? BigInt(q.repayment) : undefined),
          amount: BigInt(q.amount),
          expiry: input.expiry ?? Number(q.expiry),
          // A revision keeps the programme the quote asked for.
          programmeId: BigInt(q.programmeId),
        },
        q,
      );
      return { ...revised, cancelledTxHash: revised.cancelledTxHash as string };
    },

    /** Financier: sets its own exposure limit on an obligor (a core enterprise), on chain with its own key. */
    async setExposureLimit(principal: Principal, obligor: string, limit: bigint) {
      const financier = organisationOf(principal) as string;
      const sent = await ctx.chain.signers.send(financier, (s) => financing().connect(s).setExposureLimit(obligor, limit));
      await audit(ctx, { actor: financier, action: "exposure.setLimit", target: obligor, txHash: sent.txHash, detail: { limit } });
      return settle(ctx, sent);
    },

    /** A financier's own limits (operator and auditor: every financier's), with what is outstanding. */
    async exposureLimits(principal: Principal) {
      const rows = await ctx.db.exposure.findMany({
        where: isPrivileged(principal) ? {} : { financier: organisationOf(principal) ?? "" },
        orderBy: [{ financier: "asc" }, { obligor: "asc" }],
      });
      return {
        items: rows.map((e) => {
          const limit = BigInt(e.exposureLimit);
          const outstanding = BigInt(e.outstanding);
          return { financier: e.financier, obligor: e.obligor, limit: e.exposureLimit, outstanding: e.outstanding, available: toDecimal(limit > outstanding ? limit - outstanding : 0n) };
        }),
      };
    },

    /** The quote's financier releases the exposure of its accepted quote once repaid (the contract checks when). */
    async releaseExposure(principal: Principal, id: string) {
      const q = await visibleQuote(principal, id);
      const financier = organisationOf(principal);
      if (q.financier !== financier) throw new ForbiddenError("NotQuoteFinancier", "only the quote's financier releases its exposure");
      if (q.status !== "ACCEPTED") throw new ConflictError("FinancingExposureNotOutstanding", `the quote is ${q.status.toLowerCase()}, not accepted`);
      const sent = await ctx.chain.signers.send(q.financier, (s) => financing().connect(s).releaseExposure(structOf(q)));
      await audit(ctx, { actor: q.financier, action: "exposure.release", target: id, txHash: sent.txHash, detail: { quoteHash: q.quoteHash } });
      return settle(ctx, sent);
    },

    /** Holder: accepts a quote; the settlement contract moves the advance and the receivable part in one transaction. */
    async acceptQuote(principal: Principal, id: string) {
      const q = await visibleQuote(principal, id);
      const org = organisationOf(principal);
      if (q.holder !== org) throw new ForbiddenError("NotQuotedHolder", "only the holder the quote names may accept it");
      if (q.status === "ACCEPTED") throw new ConflictError("FinancingQuoteAlreadyAccepted", "this quote was accepted already", { quoteHash: q.quoteHash });
      if (q.status !== "OPEN") throw new ConflictError("QuoteNotOpen", `the quote is ${q.status.toLowerCase()}`);
      const r = await ctx.db.financingRequest.findUnique({ where: { id: q.requestId } });
      if (r === null || r.status !== "OPEN") throw new ConflictError("RequestNotOpen", "the request was accepted or cancelled");
      const token = ctx.chain.erc20(q.currency);
      const spender = await financing().getAddress();
      const [balance, allowance] = await Promise.all([token.balanceOf(q.financier), token.allowance(q.financier, spender)]);
      if (balance < BigInt(q.advance) || allowance < BigInt(q.advance)) throw financierCannotPay(q);
      const sent = await ctx.chain.signers
        .send(q.holder, (s) => financing().connect(s).acceptQuote(structOf(q), q.signature))
        .catch((err: unknown) => {
          // The financier's funds moved between the check and the transaction: the decoded ERC-20 error
          // would carry its balance or allowance, which are none of the holder's business.
          if (err instanceof AppError && (err.code === "ERC20InsufficientBalance" || err.code === "ERC20InsufficientAllowance")) throw financierCannotPay(q);
          throw err;
        });
      const financedId = requireEvent(financing(), sent.receipt.logs, "QuoteAccepted").financedId.toString();
      await ctx.db.$transaction([
        ctx.db.financingQuote.update({ where: { id }, data: { status: "ACCEPTED", acceptedTxHash: sent.txHash } }),
        ctx.db.financingQuote.updateMany({ where: { requestId: q.requestId, status: "OPEN", id: { not: id } }, data: { status: "CLOSED" } }),
        ctx.db.financingRequest.update({ where: { id: q.requestId }, data: { status: "ACCEPTED", acceptedQuoteId: id } }),
      ]);
      await audit(ctx, { actor: q.holder, action: "quote.accept", target: id, txHash: sent.txHash, detail: { financedId, quoteHash: q.quoteHash } });
      return { ...(await settle(ctx, sent)), financedId, quoteHash: q.quoteHash };
    },
  };
}

export type FinancingService = ReturnType<typeof createFinancingService>;
