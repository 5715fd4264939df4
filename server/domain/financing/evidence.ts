/**
 * Due-diligence evidence (尽职免责, issue 12 item 6). A bank is exempted from liability for a loss when it
 * can prove the diligence it did; so every quote keeps the decision record it was priced on: the request,
 * the receivable and the risk view with every factor as they were at that moment, the documents seen
 * (hashes), who prepared it and who approved it. The record is canonical JSON; its keccak256 is the
 * quote's `evidenceHash`, a field the financier signs and the settlement emits on acceptance, so nobody
 * can rewrite the record once the quote exists: anyone holding the record checks it against the chain.
 */
import { keccak256, toUtf8Bytes } from "ethers";
import { actingUsers, type Principal } from "../../auth/principal";
import type { FinancingQuote, QuoteEvidence } from "../../db/generated/sqlite/client";
import { ConflictError, ForbiddenError } from "../../lib/appErrors";
import { canonicalJson } from "../../lib/canonicalJson";
import { quoteDigest, type Quote } from "../../lib/typedData";
import { isPrivileged, organisationOf } from "../access";
import type { DomainContext } from "../context";
import { structOf } from "./quoteStruct";

export const EVIDENCE_KIND = "ledgerline.quote-decision/1";

/** A document the financier relied on, by hash: the invoice, a party's KYC document, or one it supplied. */
export interface DocumentSeen {
  kind: "INVOICE" | "KYC" | "FINANCIER";
  hash: string;
  name: string;
  /** Whose document it is (KYC), or null. */
  organisation: string | null;
}

/** What the quote-placing call adds to the record: documents the financier read and its rationale. */
export interface EvidenceInput {
  documents?: { name: string; hash: string }[] | undefined;
  notes?: string | undefined;
}

/** Who acted, as the record keeps it: the organisation and the credential (API key or session) used. */
export function actorOf(principal: Principal): { organisation: string | null; credentialId: string } {
  return { organisation: organisationOf(principal) ?? null, credentialId: principal.credentialId };
}

/**
 * Who prepared the quote and who approved it (issue 12 item 2), by user: placed directly, its maker
 * with the credential it used and no approver; placed by a checker's approval of a prepared action, the
 * maker who prepared it (and the action) and the checker with the credential it approved with.
 */
export function decidersOf(principal: Principal) {
  const organisation = organisationOf(principal) ?? null;
  const { preparedBy, approvedBy } = actingUsers(principal);
  const approval = principal.kind === "ORGANISATION" ? principal.approval : undefined;
  if (approval === undefined) return { preparedBy: { ...actorOf(principal), userId: preparedBy }, approvedBy: null };
  return {
    preparedBy: { organisation, userId: preparedBy, preparedActionId: approval.preparedActionId },
    approvedBy: { organisation, userId: approvedBy, credentialId: principal.credentialId },
  };
}

/** The signed quote's fields as the record states them (decimal strings; no evidenceHash: it is the record's own hash). */
export function quoteFields(quote: Quote) {
  return {
    receivableId: quote.receivableId.toString(),
    amount: quote.amount.toString(),
    advance: quote.advance.toString(),
    financier: quote.financier,
    holder: quote.holder,
    mode: Number(quote.mode),
    repayment: quote.repayment.toString(),
    currency: quote.currency,
    expiry: quote.expiry.toString(),
    nonce: quote.nonce.toString(),
    programmeId: quote.programmeId.toString(),
  };
}

export function evidenceHashOf(recordJson: string): string {
  return keccak256(toUtf8Bytes(recordJson));
}

/** A stored draft stays signable this long: past it, the risk view it froze is too old to stand for the decision. */
export const QUOTE_DRAFT_TTL_MS = 60 * 60 * 1000;

export function createEvidence(ctx: DomainContext) {
  /** The invoice of the receivable's tree and the KYC documents of its holder and obligor, plus the financier's own. */
  async function documentsSeen(rootId: string, parties: readonly string[], input: EvidenceInput): Promise<DocumentSeen[]> {
    const [root, kyc] = await Promise.all([
      ctx.db.receivableRoot.findUnique({ where: { rootId }, select: { invoiceHash: true } }),
      ctx.db.kycDocument.findMany({ where: { address: { in: [...parties] } }, orderBy: [{ address: "asc" }, { hash: "asc" }] }),
    ]);
    return [
      ...(root === null ? [] : [{ kind: "INVOICE" as const, hash: root.invoiceHash, name: "invoice", organisation: null }]),
      ...kyc.map((d) => ({ kind: "KYC" as const, hash: d.hash, name: d.name, organisation: d.address })),
      ...(input.documents ?? []).map((d) => ({ kind: "FINANCIER" as const, hash: d.hash.toLowerCase(), name: d.name, organisation: null })),
    ];
  }

  return {
    /**
     * The decision record for `quote` (without its evidenceHash) on the request view `decision` (the request,
     * the receivable and the risk view the financier sees, as `withRisk` gives them), and its hash.
     */
    async build(
      principal: Principal,
      quote: Quote,
      decision: { requestId: string; rootId: string; issuer: string; view: unknown },
      input: EvidenceInput,
    ): Promise<{ recordJson: string; evidenceHash: string }> {
      const record = {
        kind: EVIDENCE_KIND,
        chainId: ctx.chain.chainId.toString(),
        settlement: ctx.chain.financing === undefined ? null : (await ctx.chain.financing.getAddress()).toLowerCase(),
        decidedAt: ctx.now().toISOString(),
        requestId: decision.requestId,
        quote: quoteFields(quote),
        decision: decision.view,
        documents: await documentsSeen(decision.rootId, [quote.holder, decision.issuer], input),
        notes: input.notes ?? null,
        ...decidersOf(principal),
      };
      const recordJson = canonicalJson(record);
      return { recordJson, evidenceHash: evidenceHashOf(recordJson) };
    },

    /** A draft for a financier that signs with its own wallet: the record is stored, the quote is not placed yet. */
    async saveDraft(id: string, requestId: string, financier: string, built: { recordJson: string; evidenceHash: string }) {
      await ctx.db.quoteEvidence.create({
        data: { id, requestId, financier, evidenceHash: built.evidenceHash, record: built.recordJson, quoteId: null, createdAtMs: BigInt(ctx.now().getTime()) },
      });
    },

    /** The caller's draft `draftId` for `requestId`, not used yet and still signable. */
    async draft(principal: Principal, draftId: string, requestId: string): Promise<QuoteEvidence> {
      const draft = await ctx.db.quoteEvidence.findUnique({ where: { id: draftId } });
      if (draft === null || draft.financier !== organisationOf(principal) || draft.requestId !== requestId) {
        throw new ConflictError("QuoteDraftNotFound", "no quote draft of yours with this id for this request", { draftId });
      }
      if (draft.quoteId !== null) throw new ConflictError("QuoteDraftUsed", "a quote was placed on this draft already", { draftId, quoteId: draft.quoteId });
      if (Number(draft.createdAtMs) + QUOTE_DRAFT_TTL_MS < ctx.now().getTime()) {
        throw new ConflictError("QuoteDraftExpired", "the draft's decision record is over an hour old; prepare a new draft", { draftId });
      }
      return draft;
    },

    /** What was recorded is what is signed: `quote` (built again from the submitted fields, with the draft's nonce) is the draft's. */
    assertRecords(draft: QuoteEvidence, quote: Quote): void {
      const recorded = (JSON.parse(draft.record) as { quote: unknown }).quote;
      if (canonicalJson(recorded) !== canonicalJson(quoteFields(quote))) {
        throw new ConflictError("QuoteDraftMismatch", "the quote's fields differ from the draft's; submit the fields the draft was prepared with", { draftId: draft.id });
      }
    },

    /** The nonce a draft's record fixed for its quote. */
    nonceOf(draft: QuoteEvidence): bigint {
      return BigInt((JSON.parse(draft.record) as { quote: { nonce: string } }).quote.nonce);
    },

    /**
     * The export of one quote's record (its financier, the operator and auditors only: the risk view and the
     * bank's exposure are its own business), with the checks anyone can repeat: the record hashes to the
     * quote's evidenceHash; the quote's EIP-712 digest with that hash is the quote's id; and, once accepted,
     * the evidenceHash the chain emitted with the financing.
     */
    async exportOf(principal: Principal, q: FinancingQuote) {
      if (!isPrivileged(principal) && q.financier !== organisationOf(principal)) {
        throw new ForbiddenError("NotQuoteFinancier", "only the quote's financier, the operator and auditors see its due-diligence record");
      }
      const [evidence, execution] = await Promise.all([
        ctx.db.quoteEvidence.findUnique({ where: { quoteId: q.id } }),
        ctx.db.financingExecution.findUnique({ where: { quoteHash: q.quoteHash } }),
      ]);
      const financing = ctx.chain.financing === undefined ? null : await ctx.chain.financing.getAddress();
      const struct = structOf(q);
      return {
        quoteId: q.id,
        quoteHash: q.quoteHash,
        evidenceHash: q.evidenceHash,
        record: evidence === null ? null : (JSON.parse(evidence.record) as Record<string, unknown>),
        recordJson: evidence?.record ?? null,
        financing:
          execution === null
            ? null
            : { txHash: execution.txHash, blockNumber: execution.blockNumber.toString(), financedId: execution.financedId, evidenceHash: execution.evidenceHash },
        checks: {
          recordMatchesHash: evidence !== null && evidenceHashOf(evidence.record) === q.evidenceHash,
          quoteSignsHash: financing !== null && quoteDigest(ctx.chain.chainId, financing, struct) === q.quoteHash,
          anchoredOnChain: execution === null ? null : execution.evidenceHash === q.evidenceHash,
        },
      };
    },
  };
}

export type Evidence = ReturnType<typeof createEvidence>;
