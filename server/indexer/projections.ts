// How each contract event changes the projections: the ONLY code that decides what receivable,
// organisation, issuance-limit, dispute, invoice, financing and repayment rows say. Each handler names the rows
// it reads (`needs`, so a batch loads them in bulk) and then changes them synchronously in the Unit.
// Handlers use only the event's fields (events are complete by design), never contract storage.
import { invoiceRowId, toDecimal } from "../lib/encode";
import type { DecodedLog, ArgValue } from "./decode";
import type { Row, Unit } from "./unit";

export interface EventContext {
  log: DecodedLog;
  block: number;
  timestamp: bigint;
}

type Need = [table: string, key: string];

interface Handler {
  needs(args: Record<string, ArgValue>, log: DecodedLog): Need[];
  apply(unit: Unit, ev: EventContext): void;
}

export const ROLE_NAMES = ["NONE", "CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"] as const;
export const OFFER_END_NAMES = ["REJECTED", "CANCELLED", "EXPIRED"] as const;
export const FINANCING_MODE_NAMES = ["PURCHASE", "PLEDGE"] as const;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** Projection tables (mutable rows, single-column key, journalled for reorgs). */
export const PROJECTION_TABLES = [
  "organisation",
  "issuance_limit",
  "dispute",
  "currency",
  "ledger_parameters",
  "invoice",
  "receivable_root",
  "receivable",
  "financier_nonce",
  "repayment_pool",
  "pledge_debt",
  "exposure",
  "payment_credit",
  "risk_programme",
  "risk_position",
  "risk_enrolment",
] as const;

/** Append-only tables (a block's rows are deleted when the block is rolled back). */
export const HISTORY_TABLES = [
  "chain_event",
  "receivable_history",
  "financing_execution",
  "quote_cancellation",
  "repayment_deposit",
  "redemption",
] as const;

/** Events kept in chain_event only: they restate what a domain event of the same transaction says
 * (ERC-721/3525 mirrors), or concern nothing the database projects (roles, pause, approvals). */
export const RECORDED_ONLY = new Set([
  "ReceivableToken.Transfer",
  "ReceivableToken.TransferValue",
  "ReceivableToken.SlotChanged",
  "ReceivableToken.Approval",
  "ReceivableToken.ApprovalForAll",
  "ReceivableToken.ApprovalValue",
  "ReceivableToken.Paused",
  "ReceivableToken.Unpaused",
  "ReceivableToken.RoleGranted",
  "ReceivableToken.RoleRevoked",
  "ReceivableToken.RoleAdminChanged",
  "ReceivableToken.EIP712DomainChanged",
  "ReceivableToken.NoncesInvalidated",
  "ReceivableToken.DefaultAdminTransferScheduled",
  "ReceivableToken.DefaultAdminTransferCanceled",
  "ReceivableToken.DefaultAdminDelayChangeScheduled",
  "ReceivableToken.DefaultAdminDelayChangeCanceled",
  "FinancingSettlement.Paused",
  "FinancingSettlement.Unpaused",
  "FinancingSettlement.RoleGranted",
  "FinancingSettlement.RoleRevoked",
  "FinancingSettlement.RoleAdminChanged",
  "FinancingSettlement.EIP712DomainChanged",
  "RepaymentVault.Paused",
  "RepaymentVault.Unpaused",
  "RepaymentVault.RoleGranted",
  "RepaymentVault.RoleRevoked",
  "RepaymentVault.RoleAdminChanged",
  "RepaymentVault.OwnershipTransferred",
  "FinancingSettlement.OwnershipTransferred",
  // Risk-sharing programmes: roles, and credits/withdrawals of payments the currency refused (the payee's
  // balance is `creditOf` on chain; the events stay in chain_event).
  "RiskProgramme.RoleGranted",
  "RiskProgramme.RoleRevoked",
  "RiskProgramme.RoleAdminChanged",
  "RiskProgramme.PaymentCredited",
  "RiskProgramme.PaymentWithdrawn",
]);

const s = (v: ArgValue | undefined): string => {
  if (typeof v !== "string") throw new Error(`projection: expected text/address, got ${typeof v}`);
  return v;
};
const n = (v: ArgValue | undefined): bigint => {
  if (typeof v !== "bigint") throw new Error(`projection: expected an integer, got ${typeof v}`);
  return v;
};
const dec = (v: ArgValue | undefined): string => toDecimal(n(v));
const add = (a: unknown, b: bigint): string => toDecimal(BigInt(a as string) + b);

function history(unit: Unit, ev: EventContext, row: Partial<Row> & { receivable_id: string; root_id: string; kind: string }): void {
  unit.append("receivable_history", {
    block_number: BigInt(ev.block),
    log_index: ev.log.logIndex,
    from_address: null,
    to_address: null,
    amount: null,
    related_id: null,
    detail: null,
    tx_hash: ev.log.txHash,
    block_timestamp: ev.timestamp,
    ...row,
  });
}

type Args = Record<string, ArgValue>;
type HistoryEntry = Omit<Partial<Row>, "kind"> & { kind: string };

const ID = (args: Args) => dec(args.id);

/** The handler of an event that changes one existing receivable (named by the event's `id`) and records
 * the change in its history: most receivable events are only this, with their own change and entry. */
function receivableChange(change: (r: Row, a: Args) => void, entry: (a: Args) => HistoryEntry): Handler {
  return {
    needs: (a) => [["receivable", ID(a)]],
    apply(unit, ev) {
      const a = ev.log.args;
      const id = ID(a);
      const hist = entry(a);
      const r = unit.require("receivable", id, `${ev.log.eventName} names it`);
      change(r, a);
      r.updated_block = BigInt(ev.block);
      unit.put("receivable", r);
      history(unit, ev, { receivable_id: id, root_id: r.root_id as string, ...hist });
    },
  };
}

/** The same for an event that changes a whole tree (named by the event's `rootId`). */
function rootChange(change: (r: Row) => void, kind: string, entry: (a: Args) => Partial<Row> = () => ({})): Handler {
  return {
    needs: (a) => [["receivable_root", dec(a.rootId)]],
    apply(unit, ev) {
      const a = ev.log.args;
      const rootId = dec(a.rootId);
      const hist = entry(a);
      const r = unit.require("receivable_root", rootId, `${ev.log.eventName} names it`);
      change(r);
      r.updated_block = BigInt(ev.block);
      unit.put("receivable_root", r);
      history(unit, ev, { receivable_id: rootId, root_id: rootId, kind, ...hist });
    },
  };
}

/** An organisation suspended or reactivated. */
function organisationActivity(active: boolean, why: string): Handler {
  return {
    needs: (a) => [["organisation", s(a.organisation)]],
    apply(unit, { log, block }) {
      const r = unit.require("organisation", s(log.args.organisation), why);
      unit.put("organisation", { ...r, active, updated_block: BigInt(block) });
    },
  };
}

/** A core enterprise's issuance limit with `change` applied; what the event does not restate is kept (a
 * core enterprise the operator has not given a limit yet has limit 0 and nothing issued). */
function putIssuance(unit: Unit, coreEnterprise: string, block: number, change: (line: { issuance_limit: unknown; issued: unknown }) => Partial<Row>): void {
  const r = unit.get("issuance_limit", coreEnterprise);
  const line = { issuance_limit: r ? r.issuance_limit : "0", issued: r ? r.issued : "0" };
  unit.put("issuance_limit", { core_enterprise: coreEnterprise, ...line, ...change(line), updated_block: BigInt(block) });
}

/** The tree's latest dispute and its root's freeze, changed by `change`. */
function disputeChange(kind: string, change: (dispute: Row, root: Row, a: Args) => void): Handler {
  return {
    needs: (a) => [
      ["receivable_root", dec(a.rootId)],
      ["dispute", dec(a.rootId)],
    ],
    apply(unit, ev) {
      const a = ev.log.args;
      const rootId = dec(a.rootId);
      const root = unit.require("receivable_root", rootId, `${ev.log.eventName} names it`);
      const dispute = unit.require("dispute", rootId, `${ev.log.eventName} names its tree`);
      change(dispute, root, a);
      dispute.updated_block = BigInt(ev.block);
      root.updated_block = BigInt(ev.block);
      unit.put("dispute", dispute);
      unit.put("receivable_root", root);
      history(unit, ev, { receivable_id: rootId, root_id: rootId, kind, from_address: s(a.operator) });
    },
  };
}

/** An invoice's terms as its events carry them. */
function invoiceTerms(a: Args) {
  return {
    id: invoiceRowId(s(a.supplier), s(a.invoiceHash)),
    invoice_hash: s(a.invoiceHash),
    invoice_number_hash: s(a.invoiceNumberHash),
    supplier: s(a.supplier),
    debtor: s(a.debtor),
    currency: s(a.currency),
    amount: dec(a.amount),
    maturity: n(a.maturity),
  };
}

/** A receivable as it is born, confirmed as a root or split off a parent: active, not offered, not
 * pledged, nothing redeemed. */
function newReceivable(
  born: { id: string; root_id: unknown; parent_id: string | null; depth: number; holder: string; amount: string; financed: unknown; issuer: unknown; currency: unknown; maturity: unknown },
  block: bigint,
  txHash: string,
): Row {
  return {
    id: born.id,
    root_id: born.root_id,
    parent_id: born.parent_id,
    depth: born.depth,
    holder: born.holder,
    amount: born.amount,
    initial_amount: born.amount,
    redeemed_amount: "0",
    status: "ACTIVE",
    offered_to: null,
    offer_deadline: null,
    pledgee: null,
    financed: born.financed,
    issuer: born.issuer,
    currency: born.currency,
    maturity: born.maturity,
    created_block: block,
    created_tx_hash: txHash,
    updated_block: block,
  };
}

/** An open offer ends (accepted, rejected, cancelled, expired, or the receivable burnt). */
function closeOffer(r: Row): void {
  r.status = "ACTIVE";
  r.offered_to = null;
  r.offer_deadline = null;
}

/** A repayment pool as the vault's events restate it. */
function poolRow(a: Args, prior: Row | null | undefined, change: { overdue_marked?: boolean }, block: number): Row {
  return {
    pool_id: s(a.poolId),
    issuer: s(a.issuer),
    currency: s(a.currency),
    maturity: n(a.maturity),
    face: dec(a.face),
    deposited: dec(a.deposited),
    overdue_marked: prior ? prior.overdue_marked : false,
    cured: prior ? prior.cured : false,
    ...change,
    updated_block: BigInt(block),
  };
}

/** A financier's exposure on an obligor with `change` applied (no limit and nothing outstanding before
 * its first event). */
function putExposure(unit: Unit, a: Args, block: number, change: Partial<Row>): void {
  const id = `${s(a.financier)}:${s(a.obligor)}`;
  const r = unit.get("exposure", id);
  unit.put("exposure", {
    id,
    financier: s(a.financier),
    obligor: s(a.obligor),
    exposure_limit: r ? r.exposure_limit : "0",
    outstanding: dec(a.outstanding),
    ...change,
    updated_block: BigInt(block),
  });
}

const exposureKey = (a: Args): Need => ["exposure", `${s(a.financier)}:${s(a.obligor)}`];
const creditKey = (a: Args): Need => ["payment_credit", `${s(a.payee)}:${s(a.currency)}`];


// ─── risk-sharing programmes ───────────────────────────────────────────────────
type PartyKind = "FUNDER" | "FINANCIER" | "ENTERPRISE";
const positionId = (programmeId: ArgValue | undefined, kind: PartyKind, party: ArgValue | undefined): string => `${dec(programmeId)}:${kind}:${s(party)}`;
const positionKey = (a: Args, kind: PartyKind, party: ArgValue | undefined): Need => ["risk_position", positionId(a.programmeId, kind, party)];
const programmeKey = (a: Args): Need => ["risk_programme", dec(a.programmeId)];
const enrolmentKey = (a: Args): Need => ["risk_enrolment", dec(a.financedId)];
const ENROLMENT_FIELDS = ["programmeId", "version", "financedId", "financier", "supplier", "obligor", "mode", "amount", "advance", "repayment", "maturity", "enrolledAt", "coverage", "subsidy", "subsidyRecipient"] as const;

/** A party's row with `values` set (created with zeros on its first event). */
function putPosition(unit: Unit, a: Args, kind: PartyKind, party: ArgValue | undefined, block: number, values: Row): void {
  const id = positionId(a.programmeId, kind, party);
  const prior = unit.get("risk_position", id) ?? { id, programme_id: dec(a.programmeId), kind, party: s(party), committed: "0", paid_in: "0", quota: "0", valid_from: null, valid_until: null, certificate_hash: null };
  unit.put("risk_position", { ...prior, ...values, updated_block: BigInt(block) });
}

function changeProgramme(unit: Unit, a: Args, block: number, change: (p: Row) => Row): void {
  const r = unit.require("risk_programme", dec(a.programmeId), "its pool changed");
  unit.put("risk_programme", { ...r, ...change(r), updated_block: BigInt(block) });
}

/** An enrolment that ended (subsidy paid, claim paid, lapsed): its row and the pool's balance and reservations. */
function enrolmentEnd(status: string, change: (a: Args, p: Row) => { enrolment: Row; programme: Row }): Handler {
  return {
    needs: (a) => [programmeKey(a), enrolmentKey(a)],
    apply(unit, { log, block }) {
      const a = log.args;
      const r = unit.require("risk_enrolment", dec(a.financedId), `it ended (${status})`);
      const p = unit.require("risk_programme", dec(a.programmeId), `an enrolment ended (${status})`);
      const c = change(a, p);
      unit.put("risk_enrolment", { ...r, ...c.enrolment, status, updated_block: BigInt(block) });
      unit.put("risk_programme", { ...p, ...c.programme, reserved: dec(a.reserved), balance: dec(a.balance), updated_block: BigInt(block) });
    },
  };
}

export const HANDLERS: Record<string, Handler> = {
  // ─── registry ────────────────────────────────────────────────────────────
  "ReceivableToken.OrganisationRegistered": {
    needs: (a) => [["organisation", s(a.organisation)]],
    apply(unit, { log, block }) {
      const a = log.args;
      const role = ROLE_NAMES[Number(n(a.role))];
      if (!role || role === "NONE") throw new Error(`projection: OrganisationRegistered with role ${String(a.role)}`);
      unit.put("organisation", {
        address: s(a.organisation),
        role,
        active: true,
        kyc_hash: s(a.kycHash),
        registered_block: BigInt(block),
        updated_block: BigInt(block),
      });
    },
  },
  "ReceivableToken.OrganisationSuspended": organisationActivity(false, "it was suspended"),
  "ReceivableToken.OrganisationReactivated": organisationActivity(true, "it was reactivated"),
  "ReceivableToken.IssuanceLimitSet": {
    needs: (a) => [["issuance_limit", s(a.coreEnterprise)]],
    apply(unit, { log, block }) {
      const a = log.args;
      putIssuance(unit, s(a.coreEnterprise), block, () => ({ issuance_limit: dec(a.limit), issued: dec(a.issued) }));
    },
  },
  "ReceivableToken.IssuanceRestored": {
    needs: (a) => [["issuance_limit", s(a.coreEnterprise)]],
    apply(unit, { log, block }) {
      const a = log.args;
      putIssuance(unit, s(a.coreEnterprise), block, () => ({ issued: dec(a.issued) }));
    },
  },
  // ─── ledger settings ─────────────────────────────────────────────────────
  "ReceivableToken.CurrencyAllowed": {
    needs: (a) => [["currency", s(a.currency)]],
    apply(unit, { log, block }) {
      unit.put("currency", { address: s(log.args.currency), allowed: log.args.allowed === true, updated_block: BigInt(block) });
    },
  },
  "ReceivableToken.LedgerParametersSet": {
    needs: (_a, log) => [["ledger_parameters", log.contract]],
    apply(unit, { log, block }) {
      const a = log.args;
      unit.put("ledger_parameters", {
        contract: log.contract,
        min_part_amount: dec(a.minPartAmount),
        max_depth: Number(n(a.maxDepth)),
        default_offer_window: n(a.defaultOfferWindow),
        updated_block: BigInt(block),
      });
    },
  },
  // ─── invoices and confirmation ───────────────────────────────────────────
  "ReceivableToken.InvoiceRegistered": {
    needs: (a) => [["invoice", invoiceRowId(s(a.supplier), s(a.invoiceHash))]],
    apply(unit, { log, block }) {
      const a = log.args;
      unit.put("invoice", {
        ...invoiceTerms(a),
        status: "REGISTERED",
        reject_reason: null,
        root_id: null,
        confirmation_nonce: null,
        registered_block: BigInt(block),
        confirmed_block: null,
        confirmed_tx_hash: null,
        updated_block: BigInt(block),
      });
    },
  },
  "ReceivableToken.InvoiceRejected": {
    needs: (a) => [["invoice", invoiceRowId(s(a.supplier), s(a.invoiceHash))]],
    apply(unit, { log, block }) {
      const r = unit.require("invoice", invoiceRowId(s(log.args.supplier), s(log.args.invoiceHash)), "it was rejected");
      unit.put("invoice", { ...r, status: "REJECTED", reject_reason: s(log.args.reason), updated_block: BigInt(block) });
    },
  },
  "ReceivableToken.InvoiceConfirmed": {
    needs: (a) => [
      ["invoice", invoiceRowId(s(a.supplier), s(a.invoiceHash))],
      ["issuance_limit", s(a.debtor)],
      ["receivable_root", dec(a.rootId)],
      ["receivable", dec(a.rootId)],
    ],
    apply(unit, ev) {
      const { log, block } = ev;
      const a = log.args;
      const rootId = dec(a.rootId);
      const B = BigInt(block);
      const prior = unit.get("invoice", invoiceRowId(s(a.supplier), s(a.invoiceHash)));
      unit.put("invoice", {
        ...invoiceTerms(a),
        status: "CONFIRMED",
        reject_reason: null,
        root_id: rootId,
        confirmation_nonce: dec(a.nonce),
        registered_block: prior ? prior.registered_block : null,
        confirmed_block: B,
        confirmed_tx_hash: log.txHash,
        updated_block: B,
      });
      unit.put("receivable_root", {
        root_id: rootId,
        invoice_hash: s(a.invoiceHash),
        issuer: s(a.debtor),
        supplier: s(a.supplier),
        currency: s(a.currency),
        face_amount: dec(a.amount),
        maturity: n(a.maturity),
        frozen: false,
        frozen_until: null,
        overdue: false,
        confirmed_block: B,
        confirmed_tx_hash: log.txHash,
        updated_block: B,
      });
      unit.put(
        "receivable",
        newReceivable(
          { id: rootId, root_id: rootId, parent_id: null, depth: 0, holder: s(a.supplier), amount: dec(a.amount), financed: false, issuer: s(a.debtor), currency: s(a.currency), maturity: n(a.maturity) },
          B,
          log.txHash,
        ),
      );
      putIssuance(unit, s(a.debtor), block, (line) => ({ issued: add(line.issued, n(a.amount)) }));
      history(unit, ev, { receivable_id: rootId, root_id: rootId, kind: "CONFIRMED", to_address: s(a.supplier), amount: dec(a.amount) });
    },
  },
  // ─── split, offers, moves ────────────────────────────────────────────────
  "ReceivableToken.ReceivableSplit": {
    needs: (a) => [
      ["receivable", dec(a.parentId)],
      ["receivable", dec(a.childId)],
    ],
    apply(unit, ev) {
      const { log, block } = ev;
      const a = log.args;
      const parentId = dec(a.parentId);
      const childId = dec(a.childId);
      const B = BigInt(block);
      const parent = unit.require("receivable", parentId, "a child was split off it");
      unit.put("receivable", { ...parent, amount: dec(a.parentAmount), updated_block: B });
      unit.put(
        "receivable",
        newReceivable(
          {
            id: childId,
            root_id: parent.root_id,
            parent_id: parentId,
            depth: (parent.depth as number) + 1,
            holder: s(a.holder),
            amount: dec(a.amount),
            // A part of a financed receivable stays financed (the token copies FLAG_FINANCED to the child).
            financed: parent.financed,
            issuer: parent.issuer,
            currency: parent.currency,
            maturity: parent.maturity,
          },
          B,
          log.txHash,
        ),
      );
      history(unit, ev, { receivable_id: parentId, root_id: parent.root_id as string, kind: "SPLIT", from_address: s(a.holder), amount: dec(a.amount), related_id: childId });
      history(unit, ev, { receivable_id: childId, root_id: parent.root_id as string, kind: "CREATED", to_address: s(a.holder), amount: dec(a.amount), related_id: parentId });
    },
  },
  "ReceivableToken.TransferOffered": receivableChange(
    (r, a) => {
      r.status = "OFFERED";
      r.offered_to = s(a.to);
      r.offer_deadline = n(a.deadline);
    },
    (a) => ({ kind: "OFFERED", from_address: s(a.from), to_address: s(a.to), detail: n(a.deadline).toString() }),
  ),
  "ReceivableToken.OfferAccepted": receivableChange(
    (r, a) => {
      r.holder = s(a.to);
      closeOffer(r);
    },
    (a) => ({ kind: "ACCEPTED", from_address: s(a.from), to_address: s(a.to) }),
  ),
  "ReceivableToken.OfferEnded": receivableChange(closeOffer, (a) => {
    const reason = OFFER_END_NAMES[Number(n(a.reason))];
    if (!reason) throw new Error(`projection: OfferEnded with reason ${String(a.reason)}`);
    return { kind: "OFFER_ENDED", from_address: s(a.from), to_address: s(a.to), detail: reason };
  }),
  "ReceivableToken.ReceivableMoved": receivableChange(
    (r, a) => (r.holder = s(a.to)),
    (a) => ({ kind: "MOVED", from_address: s(a.from), to_address: s(a.to) }),
  ),
  "ReceivableToken.ReceivablePledged": receivableChange(
    (r, a) => (r.pledgee = s(a.pledgee)),
    (a) => ({ kind: "PLEDGED", from_address: s(a.holder), to_address: s(a.pledgee) }),
  ),
  "ReceivableToken.PledgeReleased": {
    needs: (a) => [
      ["receivable", ID(a)],
      ["pledge_debt", ID(a)],
    ],
    apply(unit, ev) {
      const { log, block } = ev;
      const a = log.args;
      const id = ID(a);
      const r = unit.require("receivable", id, "its pledge was released");
      unit.put("receivable", { ...r, pledgee: null, updated_block: BigInt(block) });
      // A financing pledge's debt ends with the pledge, for good: the vault ignores it from now on. When
      // the vault itself releases it (repaid, or paid off by a redemption), its own event later in the
      // same transaction turns RELEASED into REPAID or SETTLED.
      const debt = unit.get("pledge_debt", id);
      if (debt && debt.status === "OPEN") unit.put("pledge_debt", { ...debt, owed: "0", status: "RELEASED", updated_block: BigInt(block) });
      history(unit, ev, { receivable_id: id, root_id: r.root_id as string, kind: "PLEDGE_RELEASED", from_address: s(a.pledgee), to_address: s(a.holder) });
    },
  },
  "ReceivableToken.ReceivableFinanced": receivableChange(
    (r) => (r.financed = true),
    (a) => ({ kind: "FINANCED", to_address: s(a.holder) }),
  ),
  "ReceivableToken.ReceivableBurned": receivableChange(
    (r) => {
      closeOffer(r);
      r.status = "BURNED";
      r.pledgee = null;
    },
    (a) => ({ kind: "BURNED", from_address: s(a.holder), amount: dec(a.amount) }),
  ),
  // ─── whole trees ─────────────────────────────────────────────────────────
  "ReceivableToken.DisputeRaised": {
    needs: (a) => [
      ["receivable_root", dec(a.rootId)],
      ["dispute", dec(a.rootId)],
    ],
    apply(unit, ev) {
      const a = ev.log.args;
      const rootId = dec(a.rootId);
      const B = BigInt(ev.block);
      const expiresAt = n(a.expiresAt) === 0n ? null : n(a.expiresAt);
      const root = unit.require("receivable_root", rootId, "DisputeRaised names it");
      unit.put("receivable_root", { ...root, frozen: true, frozen_until: expiresAt, updated_block: B });
      unit.put("dispute", {
        root_id: rootId,
        raiser: s(a.raiser),
        evidence_hash: s(a.evidenceHash),
        raised_at: ev.timestamp,
        expires_at: expiresAt,
        status: "OPEN",
        resolved_by: null,
        raised_block: B,
        updated_block: B,
      });
      history(unit, ev, { receivable_id: rootId, root_id: rootId, kind: "DISPUTED", from_address: s(a.raiser), detail: s(a.evidenceHash) });
    },
  },
  "ReceivableToken.DisputeUpheld": disputeChange("DISPUTE_UPHELD", (dispute, root, a) => {
    dispute.status = "UPHELD";
    dispute.expires_at = null;
    dispute.resolved_by = s(a.operator);
    root.frozen_until = null;
  }),
  "ReceivableToken.DisputeReleased": disputeChange("DISPUTE_RELEASED", (dispute, root, a) => {
    dispute.status = "RELEASED";
    dispute.resolved_by = s(a.operator);
    root.frozen = false;
    root.frozen_until = null;
  }),
  "ReceivableToken.RootOverdue": rootChange((r) => (r.overdue = true), "OVERDUE"),
  // ─── financing settlement ────────────────────────────────────────────────
  "FinancingSettlement.QuoteAccepted": {
    needs: () => [],
    apply(unit, { log, block, timestamp }) {
      const a = log.args;
      const mode = FINANCING_MODE_NAMES[Number(n(a.mode))];
      if (!mode) throw new Error(`projection: QuoteAccepted with mode ${String(a.mode)}`);
      unit.append("financing_execution", {
        quote_hash: s(a.quoteHash),
        receivable_id: dec(a.receivableId),
        financed_id: dec(a.financedId),
        financier: s(a.financier),
        holder: s(a.holder),
        mode,
        currency: s(a.currency),
        amount: dec(a.amount),
        advance: dec(a.advance),
        repayment: dec(a.repayment),
        nonce: dec(a.nonce),
        evidence_hash: s(a.evidenceHash),
        block_number: BigInt(block),
        log_index: log.logIndex,
        tx_hash: log.txHash,
        block_timestamp: timestamp,
      });
    },
  },
  "FinancingSettlement.QuoteCancelled": {
    needs: () => [],
    apply(unit, { log, block, timestamp }) {
      const a = log.args;
      unit.append("quote_cancellation", {
        quote_hash: s(a.quoteHash),
        financier: s(a.financier),
        nonce: dec(a.nonce),
        block_number: BigInt(block),
        log_index: log.logIndex,
        tx_hash: log.txHash,
        block_timestamp: timestamp,
      });
    },
  },
  "FinancingSettlement.NoncesInvalidated": {
    needs: (a) => [["financier_nonce", s(a.financier)]],
    apply(unit, { log, block }) {
      unit.put("financier_nonce", { financier: s(log.args.financier), min_nonce: dec(log.args.minNonce), updated_block: BigInt(block) });
    },
  },
  "FinancingSettlement.ExposureLimitSet": {
    needs: (a) => [exposureKey(a)],
    apply(unit, { log, block }) {
      putExposure(unit, log.args, block, { exposure_limit: dec(log.args.limit) });
    },
  },
  "FinancingSettlement.ExposureTaken": {
    needs: (a) => [exposureKey(a)],
    apply(unit, { log, block }) {
      putExposure(unit, log.args, block, {});
    },
  },
  "FinancingSettlement.ExposureReleased": {
    needs: (a) => [exposureKey(a)],
    apply(unit, { log, block }) {
      putExposure(unit, log.args, block, {});
    },
  },
  // ─── repayment vault ─────────────────────────────────────────────────────
  "RepaymentVault.RepaymentDeposited": {
    needs: (a) => [["repayment_pool", s(a.poolId)]],
    apply(unit, { log, block, timestamp }) {
      const a = log.args;
      unit.put("repayment_pool", poolRow(a, unit.get("repayment_pool", s(a.poolId)), {}, block));
      unit.append("repayment_deposit", {
        block_number: BigInt(block),
        log_index: log.logIndex,
        pool_id: s(a.poolId),
        issuer: s(a.issuer),
        currency: s(a.currency),
        maturity: n(a.maturity),
        amount: dec(a.amount),
        deposited: dec(a.deposited),
        face: dec(a.face),
        tx_hash: log.txHash,
        block_timestamp: timestamp,
      });
    },
  },
  "RepaymentVault.RootMarkedOverdue": {
    needs: (a) => [["repayment_pool", s(a.poolId)]],
    apply(unit, { log, block }) {
      const a = log.args;
      unit.put("repayment_pool", poolRow(a, unit.get("repayment_pool", s(a.poolId)), { overdue_marked: true }, block));
    },
  },
  "RepaymentVault.PoolCured": {
    needs: (a) => [["repayment_pool", s(a.poolId)]],
    apply(unit, { log, block }) {
      const r = unit.require("repayment_pool", s(log.args.poolId), "it was cured");
      unit.put("repayment_pool", { ...r, cured: true, updated_block: BigInt(block) });
    },
  },
  "RepaymentVault.PaymentCredited": {
    needs: (a) => [creditKey(a)],
    apply(unit, { log, block }) {
      const a = log.args;
      unit.put("payment_credit", { id: creditKey(a)[1], payee: s(a.payee), currency: s(a.currency), balance: dec(a.balance), updated_block: BigInt(block) });
    },
  },
  "RepaymentVault.PaymentWithdrawn": {
    needs: (a) => [creditKey(a)],
    apply(unit, { log, block }) {
      const a = log.args;
      unit.put("payment_credit", { id: creditKey(a)[1], payee: s(a.payee), currency: s(a.currency), balance: "0", updated_block: BigInt(block) });
    },
  },
  "RepaymentVault.ReceivableRedeemed": {
    needs: (a) => [
      ["receivable", ID(a)],
      ["pledge_debt", ID(a)],
    ],
    apply(unit, ev) {
      const { log, block, timestamp } = ev;
      const a = log.args;
      const id = ID(a);
      const r = unit.require("receivable", id, "it was redeemed");
      unit.put("receivable", { ...r, redeemed_amount: dec(a.paid), updated_block: BigInt(block) });
      const pledgee = s(a.pledgee);
      if (pledgee !== ZERO_ADDRESS) {
        const debt = unit.get("pledge_debt", id);
        if (debt) unit.put("pledge_debt", { ...debt, owed: dec(a.pledgeOwed), status: n(a.pledgeOwed) === 0n ? "SETTLED" : "OPEN", updated_block: BigInt(block) });
      }
      unit.append("redemption", {
        block_number: BigInt(block),
        log_index: log.logIndex,
        receivable_id: id,
        root_id: dec(a.rootId),
        holder: s(a.holder),
        pool_id: s(a.poolId),
        amount: dec(a.amount),
        to_holder: dec(a.toHolder),
        pledgee: pledgee === ZERO_ADDRESS ? null : pledgee,
        to_pledgee: dec(a.toPledgee),
        paid: dec(a.paid),
        pledge_owed: dec(a.pledgeOwed),
        burnt: a.burnt === true,
        tx_hash: log.txHash,
        block_timestamp: timestamp,
      });
      history(unit, ev, {
        receivable_id: id,
        root_id: dec(a.rootId),
        kind: "REDEEMED",
        to_address: s(a.holder),
        amount: dec(n(a.toHolder) + n(a.toPledgee)),
        detail: `paid=${dec(a.paid)}`,
      });
    },
  },
  "RepaymentVault.PledgeRecorded": {
    needs: (a) => [["pledge_debt", ID(a)]],
    apply(unit, { log, block }) {
      const a = log.args;
      unit.put("pledge_debt", {
        receivable_id: ID(a),
        holder: s(a.holder),
        pledgee: s(a.pledgee),
        owed: dec(a.owed),
        status: "OPEN",
        recorded_block: BigInt(block),
        updated_block: BigInt(block),
      });
    },
  },
  "RepaymentVault.PledgeRepaid": {
    needs: (a) => [["pledge_debt", ID(a)]],
    apply(unit, { log, block }) {
      const r = unit.require("pledge_debt", ID(log.args), "its pledge was repaid");
      unit.put("pledge_debt", { ...r, owed: "0", status: "REPAID", updated_block: BigInt(block) });
    },
  },
  // ─── risk-sharing programmes (issue 13) ─────────────────────────────────────
  "RiskProgramme.ProgrammeCreated": {
    needs: (a) => [programmeKey(a)],
    apply(unit, { log, block }) {
      const a = log.args;
      unit.put("risk_programme", {
        id: dec(a.programmeId),
        admin: s(a.admin),
        currency: s(a.currency),
        version: 0,
        coverage_bps: null,
        subsidy_bps: null,
        subsidy_to_financier: false,
        cap_per_financing: null,
        cap_per_enterprise: null,
        cap_per_financier: null,
        waiting_period: null,
        claim_window: null,
        balance: "0",
        reserved: "0",
        paid_in: "0",
        subsidies_paid: "0",
        compensation_paid: "0",
        recovered: "0",
        created_block: BigInt(block),
        updated_block: BigInt(block),
      });
    },
  },
  "RiskProgramme.TermsSet": {
    needs: (a) => [programmeKey(a)],
    apply(unit, { log, block }) {
      const a = log.args;
      const t = a.terms as ArgValue[];
      changeProgramme(unit, a, block, () => ({
        version: Number(n(a.version)),
        coverage_bps: Number(n(t[0])),
        subsidy_bps: Number(n(t[1])),
        subsidy_to_financier: t[2] === true,
        cap_per_financing: dec(t[3]),
        cap_per_enterprise: dec(t[4]),
        cap_per_financier: dec(t[5]),
        waiting_period: Number(n(t[6])),
        claim_window: Number(n(t[7])),
      }));
    },
  },
  "RiskProgramme.FunderCommitted": {
    needs: (a) => [positionKey(a, "FUNDER", a.funder)],
    apply(unit, { log, block }) {
      const a = log.args;
      putPosition(unit, a, "FUNDER", a.funder, block, { committed: dec(a.committed), paid_in: dec(a.paidIn) });
    },
  },
  "RiskProgramme.FunderPaidIn": {
    needs: (a) => [positionKey(a, "FUNDER", a.funder), programmeKey(a)],
    apply(unit, { log, block }) {
      const a = log.args;
      putPosition(unit, a, "FUNDER", a.funder, block, { paid_in: dec(a.paidIn) });
      changeProgramme(unit, a, block, (p) => ({ balance: dec(a.balance), paid_in: add(p.paid_in, n(a.amount)) }));
    },
  },
  "RiskProgramme.FinancierQuotaSet": {
    needs: (a) => [positionKey(a, "FINANCIER", a.financier)],
    apply(unit, { log, block }) {
      const a = log.args;
      putPosition(unit, a, "FINANCIER", a.financier, block, { quota: dec(a.quota) });
    },
  },
  "RiskProgramme.WhitelistSet": {
    needs: (a) => [positionKey(a, "ENTERPRISE", a.enterprise)],
    apply(unit, { log, block }) {
      const a = log.args;
      putPosition(unit, a, "ENTERPRISE", a.enterprise, block, { valid_from: n(a.validFrom), valid_until: n(a.validUntil), certificate_hash: s(a.certificateHash) });
    },
  },
  "RiskProgramme.FinancingEnrolled": {
    needs: (a) => [programmeKey(a), enrolmentKey(a)],
    apply(unit, { log, block }) {
      const a = log.args;
      const e = a.enrolment as ArgValue[];
      const v = (i: number) => e[i];
      const enrolment: Record<string, string> = {};
      ENROLMENT_FIELDS.forEach((f, i) => (enrolment[f] = typeof v(i) === "bigint" ? dec(v(i)) : s(v(i))));
      unit.put("risk_enrolment", {
        financed_id: dec(a.financedId),
        programme_id: dec(a.programmeId),
        version: Number(n(v(1))),
        financier: s(v(3)),
        supplier: s(v(4)),
        obligor: s(v(5)),
        mode: FINANCING_MODE_NAMES[Number(n(v(6)))],
        amount: dec(v(7)),
        advance: dec(v(8)),
        repayment: dec(v(9)),
        maturity: n(v(10)),
        enrolled_at: n(v(11)),
        coverage: dec(v(12)),
        subsidy: dec(v(13)),
        subsidy_recipient: s(v(14)),
        status: "ENROLLED",
        subsidy_paid: "0",
        loss: "0",
        compensation: "0",
        recovered: "0",
        pool_share: "0",
        enrolment: JSON.stringify(enrolment),
        tx_hash: log.txHash,
        updated_block: BigInt(block),
      });
      changeProgramme(unit, a, block, (p) => ({ reserved: add(p.reserved, n(v(12)) + n(v(13))) }));
    },
  },
  "RiskProgramme.SubsidyPaid": enrolmentEnd("REPAID", (a, p) => ({
    enrolment: { subsidy_paid: dec(a.subsidy) },
    programme: { subsidies_paid: add(p.subsidies_paid, n(a.subsidy)) },
  })),
  "RiskProgramme.ClaimPaid": enrolmentEnd("CLAIMED", (a, p) => ({
    enrolment: { loss: dec(a.loss), compensation: dec(a.compensation) },
    programme: { compensation_paid: add(p.compensation_paid, n(a.compensation)) },
  })),
  "RiskProgramme.EnrolmentLapsed": enrolmentEnd("LAPSED", () => ({ enrolment: {}, programme: {} })),
  "RiskProgramme.RecoveryShared": {
    needs: (a) => [programmeKey(a), enrolmentKey(a)],
    apply(unit, { log, block }) {
      const a = log.args;
      const r = unit.require("risk_enrolment", dec(a.financedId), "a recovery was shared");
      unit.put("risk_enrolment", { ...r, recovered: dec(a.recovered), pool_share: dec(a.poolShare), updated_block: BigInt(block) });
      changeProgramme(unit, a, block, (p) => ({ balance: dec(a.balance), recovered: add(p.recovered, n(a.paid)) }));
    },
  },
  "RiskProgramme.FinancingWrittenOff": {
    needs: (a) => [enrolmentKey(a)],
    apply(unit, { log, block }) {
      const r = unit.require("risk_enrolment", dec(log.args.financedId), "it was written off");
      unit.put("risk_enrolment", { ...r, status: "WRITTEN_OFF", updated_block: BigInt(block) });
    },
  },
};

export function handlerKey(log: { contractName: string; eventName: string }): string {
  return `${log.contractName}.${log.eventName}`;
}
