// A plain TypeScript model of the receivable ledger's rules (contracts/ReceivableToken.sol), used by the
// property tests: every operation either changes the model's state exactly as the contract changes its
// own, or returns the custom error (name and arguments) the contract reverts with — checked in the same
// order as the contract checks. It knows nothing of Solidity or ethers; extend it (financing,
// settlement) by adding operations in the same style.
import type { Invoice } from "../../server/lib/typedData";

export const OrganisationRole = { None: 0, CoreEnterprise: 1, Supplier: 2, Financier: 3 } as const;
export type Role = (typeof OrganisationRole)[keyof typeof OrganisationRole];

export const FLAG_OFFERED = 1;
export const FLAG_PLEDGED = 2;
export const FLAG_FINANCED = 4;
/** Set with PLEDGED by a financing pledge (its debt is the vault's) and cleared with it. */
export const FLAG_PLEDGE_DEBT = 8;
export const SEQ_MASK = 0xffffffffn;
export const MAX_UINT32 = 2n ** 32n - 1n;
export const MAX_UINT96 = 2n ** 96n - 1n;
export const MAX_UINT112 = 2n ** 112n - 1n;

export interface ModelOrganisation {
  role: Role;
  active: boolean;
  /** ERC-721 balanceOf: receivables held and not in escrow. */
  receivableCount: bigint;
  issuanceLimit: bigint;
  issued: bigint;
}

/** What `receivableOf` answers. */
export interface ModelReceivable {
  holder: string;
  amount: bigint;
  rootId: bigint;
  parentId: bigint;
  depth: number;
  flags: number;
  counterparty: string;
  offerDeadline: bigint;
}

export interface ModelRoot {
  issuer: string;
  currency: string;
  maturity: bigint;
  /** A dispute was raised and not released (it may have lapsed: see `frozenAt`). */
  frozen: boolean;
  /** When a debtor's dispute lapses unless upheld; 0n: no end. */
  disputeExpiresAt: bigint;
  upheld: boolean;
  /** The debtor has used its one dispute on this tree. */
  debtorRaised: boolean;
  overdue: boolean;
  childCount: bigint;
  /** Face amount confirmed: the tree's live amounts plus what was burnt add up to it. */
  face: bigint;
  /** Amounts burnt at redemption. */
  burnt: bigint;
}

export interface ModelParameters {
  minPartAmount: bigint;
  maxDepth: number;
  defaultOfferWindow: bigint;
}

/** A custom error as the contract raises it. */
export interface ModelError {
  error: string;
  args: unknown[];
}

export type Outcome<T = undefined> = { ok: true; value: T } | ({ ok: false } & ModelError);

export interface LedgerModelOptions {
  /** The ledger's own address: escrow while an offer is open. */
  ledger: string;
  operator: string;
  parameters: ModelParameters;
  allowedCurrencies?: string[];
  /** Seconds after which a debtor's dispute lapses unless upheld. */
  disputePeriod: bigint;
}

const ZERO = "0x0000000000000000000000000000000000000000";
const key = (address: string) => address.toLowerCase();
const fail = (error: string, ...args: unknown[]): { ok: false } & ModelError => ({ ok: false, error, args });
const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

/** Thrown inside an operation to abort it with a custom error; caught at the operation's boundary. */
class Revert extends Error {
  constructor(readonly outcome: ModelError) {
    super(outcome.error);
  }
}
const revert = (error: string, ...args: unknown[]): never => {
  throw new Revert({ error, args });
};

export function createLedgerModel({ ledger, operator, parameters, allowedCurrencies = [], disputePeriod }: LedgerModelOptions) {
  const organisations = new Map<string, ModelOrganisation>();
  const receivables = new Map<bigint, ModelReceivable>();
  const roots = new Map<bigint, ModelRoot>();
  const invoiceRoots = new Map<string, bigint>();
  /** Repayment pools money was deposited into (issuer|currency|maturity): closed to confirmations. */
  const closedPools = new Set<string>();
  const poolKey = (issuer: string, currency: string, maturity: bigint) => `${key(issuer)}|${key(currency)}|${maturity}`;
  /** Issuance given back by repayment, per core enterprise (issued = confirmed − restored). */
  /** Per core enterprise: whether anything was confirmed since the operator last set its limit. */
  const confirmedSinceLimit = new Map<string, boolean>();
  const restored = new Map<string, bigint>();
  /** Burnt receivables as they were when burnt: their children still name them as parents. */
  const graveyard = new Map<bigint, ModelReceivable>();
  const currencies = new Set(allowedCurrencies.map(key));
  const params = { ...parameters, paused: false };
  let rootCount = 0n;

  const organisation = (address: string): ModelOrganisation =>
    organisations.get(key(address)) ?? { role: OrganisationRole.None, active: false, receivableCount: 0n, issuanceLimit: 0n, issued: 0n };
  const store = (address: string, record: ModelOrganisation) => organisations.set(key(address), record);
  const bumpCount = (address: string, delta: bigint) => {
    const record = organisation(address);
    store(address, { ...record, receivableCount: record.receivableCount + delta });
  };

  // ─── the checks, in the contract's order ─────────────────────────────────────

  const requireNotPaused = () => {
    if (params.paused) revert("EnforcedPause");
  };
  const requireActive = (address: string) => {
    const record = organisation(address);
    if (!record.active) {
      if (record.role === OrganisationRole.None) revert("RegistryOrganisationNotRegistered", address);
      revert("RegistryOrganisationSuspended", address);
    }
  };
  const requireRole = (address: string, role: Role) => {
    const record = organisation(address);
    if (record.role === OrganisationRole.None) revert("RegistryOrganisationNotRegistered", address);
    if (record.role !== role) revert("RegistryWrongRole", address, role, record.role);
    if (!record.active) revert("RegistryOrganisationSuspended", address);
  };
  const load = (id: bigint): ModelReceivable => receivables.get(id) ?? revert("ReceivableNonexistent", id);
  const authorise = (caller: string, r: ModelReceivable, id: bigint) => {
    // The model has no ERC-721 approvals or operators: only the holder may act.
    if (key(caller) !== key(r.holder)) revert("ReceivableUnauthorized", caller, id);
  };
  const rootOfId = (id: bigint) => roots.get(id & ~SEQ_MASK)!;

  /** ReceivableToken._checkMove. */
  const checkMove = (
    id: bigint,
    r: ModelReceivable,
    holder: string,
    receiver: string,
    flags: number,
    { deferTree = false, allowPledged = false, allowOverdue = false, allowMatured = false } = {},
    now: bigint,
  ) => {
    requireNotPaused();
    requireActive(holder);
    if (key(receiver) !== key(holder)) requireActive(receiver);
    if (flags & FLAG_OFFERED) revert("ReceivableIsOffered", id, r.counterparty);
    if (flags & FLAG_PLEDGED && !allowPledged) revert("ReceivableIsPledged", id, r.counterparty);
    if (deferTree) return;
    const root = rootOfId(id);
    if (frozenAt(root, now)) revert("ReceivableFrozen", id & ~SEQ_MASK);
    if (root.overdue && !allowOverdue) revert("ReceivableOverdue", id & ~SEQ_MASK);
    if (!allowMatured && now >= root.maturity) revert("ReceivableMatured", id, root.maturity);
  };

  const offerDeadline = (deadline: bigint, now: bigint) => {
    const chosen = deadline === 0n ? now + params.defaultOfferWindow : deadline;
    if (chosen <= now || chosen > MAX_UINT32) revert("ReceivableInvalidDeadline", chosen);
    return chosen;
  };

  /** ReceivableToken._splitOff: cuts `amount` off `parentId` into a new child described by `child`. */
  const splitOff = (parentId: bigint, parent: ModelReceivable, amount: bigint, child: Pick<ModelReceivable, "holder" | "counterparty" | "offerDeadline" | "flags">) => {
    if (amount === 0n) revert("ReceivableZeroAmount");
    if (amount > parent.amount) revert("ReceivableInsufficientAmount", parentId, parent.amount, amount);
    const remaining = parent.amount - amount;
    if (amount < params.minPartAmount) revert("ReceivablePartTooSmall", amount, params.minPartAmount);
    if (remaining < params.minPartAmount) revert("ReceivablePartTooSmall", remaining, params.minPartAmount);
    if (parent.depth >= params.maxDepth) revert("ReceivableTooDeep", parentId, params.maxDepth);
    const root = rootOfId(parentId);
    root.childCount += 1n;
    const childId = (parentId & ~SEQ_MASK) | root.childCount;
    parent.amount = remaining;
    receivables.set(childId, { ...child, amount, rootId: parentId & ~SEQ_MASK, parentId, depth: parent.depth + 1 });
    return childId;
  };

  /** Runs `body` as one transaction: all or nothing, like the EVM. */
  function transact<T>(body: () => T): Outcome<T> {
    const saved = snapshot();
    try {
      return ok(body());
    } catch (error) {
      if (error instanceof Revert) {
        restore(saved);
        return fail(error.outcome.error, ...error.outcome.args);
      }
      throw error;
    }
  }

  function snapshot() {
    return {
      organisations: new Map([...organisations].map(([k, v]) => [k, { ...v }])),
      receivables: new Map([...receivables].map(([k, v]) => [k, { ...v }])),
      roots: new Map([...roots].map(([k, v]) => [k, { ...v }])),
      invoiceRoots: new Map(invoiceRoots),
      closedPools: new Set(closedPools),
      restored: new Map(restored),
      confirmedSinceLimit: new Map(confirmedSinceLimit),
      graveyard: new Map(graveyard),
      params: { ...params },
      rootCount,
    };
  }

  function restore(saved: ReturnType<typeof snapshot>) {
    organisations.clear();
    saved.organisations.forEach((v, k) => organisations.set(k, v));
    receivables.clear();
    saved.receivables.forEach((v, k) => receivables.set(k, v));
    roots.clear();
    saved.roots.forEach((v, k) => roots.set(k, v));
    invoiceRoots.clear();
    saved.invoiceRoots.forEach((v, k) => invoiceRoots.set(k, v));
    closedPools.clear();
    saved.closedPools.forEach((k) => closedPools.add(k));
    restored.clear();
    saved.restored.forEach((v, k) => restored.set(k, v));
    confirmedSinceLimit.clear();
    saved.confirmedSinceLimit.forEach((v, k) => confirmedSinceLimit.set(k, v));
    graveyard.clear();
    saved.graveyard.forEach((v, k) => graveyard.set(k, v));
    Object.assign(params, saved.params);
    rootCount = saved.rootCount;
  }

  const isOperator = (caller: string) => key(caller) === key(operator);

  return {
    // ─── state, read-only for callers ───────────────────────────────────────────
    organisation,
    receivable: (id: bigint) => receivables.get(id),
    root: (rootId: bigint) => roots.get(rootId),
    ids: () => [...receivables.keys()],
    rootIds: () => [...roots.keys()],
    organisationAddresses: () => [...organisations.keys()],
    parameters: () => ({ ...params }),
    restoredCredit: (address: string) => restored.get(key(address)) ?? 0n,
    confirmedSinceLimitSet: (address: string) => confirmedSinceLimit.get(key(address)) ?? false,
    burntReceivable: (id: bigint) => graveyard.get(id),
    /** The ERC-721 owner: the ledger while an offer is open. */
    ownerOf: (id: bigint) => {
      const r = receivables.get(id);
      if (!r) return undefined;
      return r.flags & FLAG_OFFERED ? ledger : r.holder;
    },

    // ─── registry ───────────────────────────────────────────────────────────────
    registerOrganisation: (caller: string, address: string, role: Role) =>
      transact(() => {
        if (!isOperator(caller)) revert("AccessControlUnauthorizedAccount", caller, "OPERATOR_ROLE");
        if (address === ZERO || key(address) === key(ledger) || role === OrganisationRole.None) revert("RegistryInvalidOrganisation", address, role);
        if (organisation(address).role !== OrganisationRole.None) revert("RegistryOrganisationAlreadyRegistered", address);
        store(address, { ...organisation(address), role, active: true });
      }),
    suspendOrganisation: (caller: string, address: string) =>
      transact(() => {
        if (!isOperator(caller)) revert("AccessControlUnauthorizedAccount", caller, "OPERATOR_ROLE");
        const record = organisation(address);
        if (record.role === OrganisationRole.None) revert("RegistryOrganisationNotRegistered", address);
        if (!record.active) revert("RegistryOrganisationSuspended", address);
        store(address, { ...record, active: false });
      }),
    reactivateOrganisation: (caller: string, address: string) =>
      transact(() => {
        if (!isOperator(caller)) revert("AccessControlUnauthorizedAccount", caller, "OPERATOR_ROLE");
        const record = organisation(address);
        if (record.role === OrganisationRole.None) revert("RegistryOrganisationNotRegistered", address);
        if (record.active) revert("RegistryOrganisationAlreadyActive", address);
        store(address, { ...record, active: true });
      }),
    /** The operator alone (no pause check: it moves no receivable). */
    setIssuanceLimit: (caller: string, coreEnterprise: string, limit: bigint) =>
      transact(() => {
        if (!isOperator(caller)) revert("AccessControlUnauthorizedAccount", caller, "OPERATOR_ROLE");
        requireRole(coreEnterprise, OrganisationRole.CoreEnterprise);
        store(coreEnterprise, { ...organisation(coreEnterprise), issuanceLimit: limit });
        confirmedSinceLimit.set(key(coreEnterprise), false);
      }),
    setCurrencyAllowed: (currency: string, allowed: boolean) => {
      if (allowed) currencies.add(key(currency));
      else currencies.delete(key(currency));
    },

    // ─── confirmation (by the debtor's own transaction) ─────────────────────────
    confirmInvoice: (caller: string, invoice: Invoice, now: bigint) =>
      transact(() => {
        if (key(caller) !== key(invoice.debtor)) revert("ReceivableInvalidSigner", caller, invoice.debtor);
        requireNotPaused();
        if (invoice.amount === 0n) revert("ReceivableZeroAmount");
        if (invoice.amount > MAX_UINT96) revert("ReceivableAmountTooLarge", invoice.amount, MAX_UINT96);
        if (invoice.maturity <= now) revert("ReceivableMaturityInPast", invoice.maturity, now);
        if (invoice.maturity > 2n ** 40n - 1n) revert("ReceivableInvalidParameters");
        if (!currencies.has(key(invoice.currency))) revert("ReceivableCurrencyNotAllowed", invoice.currency);
        requireRole(invoice.supplier, OrganisationRole.Supplier);
        requireRole(invoice.debtor, OrganisationRole.CoreEnterprise);
        if (invoiceRoots.has(invoice.invoiceHash)) revert("ReceivableInvoiceAlreadyConfirmed", invoice.invoiceHash);
        if (closedPools.has(poolKey(invoice.debtor, invoice.currency, invoice.maturity))) {
          revert("ReceivablePoolClosed", invoice.debtor, invoice.currency, invoice.maturity);
        }
        const debtor = organisation(invoice.debtor);
        const limit = debtor.issuanceLimit > MAX_UINT112 ? MAX_UINT112 : debtor.issuanceLimit;
        const available = limit > debtor.issued ? limit - debtor.issued : 0n;
        if (invoice.amount > available) revert("RegistryIssuanceLimitExceeded", invoice.debtor, available, invoice.amount);
        store(invoice.debtor, { ...debtor, issued: debtor.issued + invoice.amount });
        confirmedSinceLimit.set(key(invoice.debtor), true);
        rootCount += 1n;
        const rootId = rootCount << 32n;
        roots.set(rootId, {
          issuer: invoice.debtor,
          currency: invoice.currency,
          maturity: invoice.maturity,
          frozen: false,
          disputeExpiresAt: 0n,
          upheld: false,
          debtorRaised: false,
          overdue: false,
          childCount: 0n,
          face: invoice.amount,
          burnt: 0n,
        });
        invoiceRoots.set(invoice.invoiceHash, rootId);
        receivables.set(rootId, {
          holder: invoice.supplier,
          amount: invoice.amount,
          rootId,
          parentId: 0n,
          depth: 0,
          flags: 0,
          counterparty: ZERO,
          offerDeadline: 0n,
        });
        bumpCount(invoice.supplier, 1n);
        return rootId;
      }),

    // ─── split, offers ──────────────────────────────────────────────────────────
    split: (caller: string, id: bigint, amount: bigint, now: bigint) =>
      transact(() => {
        const r = load(id);
        authorise(caller, r, id);
        checkMove(id, r, r.holder, r.holder, r.flags, {}, now);
        const childId = splitOff(id, r, amount, { holder: r.holder, counterparty: ZERO, offerDeadline: 0n, flags: r.flags & FLAG_FINANCED });
        bumpCount(r.holder, 1n);
        return childId;
      }),
    offerTransfer: (caller: string, id: bigint, to: string, amount: bigint, deadline: bigint, now: bigint) =>
      transact(() => {
        const r = load(id);
        authorise(caller, r, id);
        if (key(to) === key(r.holder)) revert("ReceivableSelfTransfer", id, to);
        if (to === ZERO || key(to) === key(ledger)) revert("RegistryOrganisationNotRegistered", to);
        if (amount === r.amount) {
          // A whole offer leaves the receiver and the tree to the acceptance.
          checkMove(id, r, r.holder, r.holder, r.flags, { deferTree: true }, now);
          const chosen = offerDeadline(deadline, now);
          Object.assign(r, { counterparty: to, offerDeadline: chosen, flags: r.flags | FLAG_OFFERED });
          bumpCount(r.holder, -1n);
          return id;
        }
        checkMove(id, r, r.holder, r.holder, r.flags, {}, now);
        const chosen = offerDeadline(deadline, now);
        return splitOff(id, r, amount, {
          holder: r.holder,
          counterparty: to,
          offerDeadline: chosen,
          flags: (r.flags & FLAG_FINANCED) | FLAG_OFFERED,
        });
      }),
    acceptOffer: (caller: string, id: bigint, now: bigint) =>
      transact(() => {
        const r = load(id);
        if (!(r.flags & FLAG_OFFERED)) revert("ReceivableNotOffered", id);
        if (key(caller) !== key(r.counterparty)) revert("ReceivableUnauthorized", caller, id);
        if (now > r.offerDeadline) revert("ReceivableOfferExpired", id, r.offerDeadline);
        const to = r.counterparty;
        checkMove(id, r, r.holder, to, r.flags & ~FLAG_OFFERED, {}, now);
        Object.assign(r, { holder: to, counterparty: ZERO, offerDeadline: 0n, flags: r.flags & ~FLAG_OFFERED });
        bumpCount(to, 1n);
      }),
    rejectOffer: (caller: string, id: bigint) =>
      transact(() => {
        const r = load(id);
        if (!(r.flags & FLAG_OFFERED)) revert("ReceivableNotOffered", id);
        if (key(caller) !== key(r.counterparty)) revert("ReceivableUnauthorized", caller, id);
        endOffer(r);
      }),
    cancelOffer: (caller: string, id: bigint) =>
      transact(() => {
        const r = load(id);
        if (!(r.flags & FLAG_OFFERED)) revert("ReceivableNotOffered", id);
        if (key(caller) !== key(r.holder)) revert("ReceivableUnauthorized", caller, id);
        endOffer(r);
      }),
    reclaimExpiredOffer: (id: bigint, now: bigint) =>
      transact(() => {
        const r = load(id);
        if (!(r.flags & FLAG_OFFERED)) revert("ReceivableNotOffered", id);
        if (now <= r.offerDeadline) revert("ReceivableOfferNotExpired", id, r.offerDeadline);
        endOffer(r);
      }),

    // ─── pledge, freeze, pause ──────────────────────────────────────────────────
    pledge: (caller: string, id: bigint, pledgee: string, now: bigint) =>
      transact(() => {
        const r = load(id);
        authorise(caller, r, id);
        if (key(pledgee) === key(r.holder)) revert("ReceivableSelfTransfer", id, pledgee);
        requireRole(pledgee, OrganisationRole.Financier);
        checkMove(id, r, r.holder, pledgee, r.flags, {}, now);
        Object.assign(r, { counterparty: pledgee, flags: r.flags | FLAG_PLEDGED });
      }),
    /** `privileged`: the caller holds FINANCING_ROLE or SETTLEMENT_ROLE. */
    releasePledge: (caller: string, id: bigint, privileged = false) =>
      transact(() => {
        requireNotPaused();
        const r = load(id);
        if (!(r.flags & FLAG_PLEDGED)) revert("ReceivableNotPledged", id);
        if (key(caller) !== key(r.counterparty) && !privileged) revert("ReceivableUnauthorized", caller, id);
        Object.assign(r, { counterparty: ZERO, flags: r.flags & ~(FLAG_PLEDGED | FLAG_PLEDGE_DEBT) });
      }),
    raiseDispute: (caller: string, rootId: bigint, now: bigint) =>
      transact(() => {
        requireNotPaused();
        const root = existingRoot(rootId);
        if (frozenAt(root, now)) revert("ReceivableFrozen", rootId);
        let expiresAt = 0n;
        if (!isOperator(caller)) {
          if (key(caller) !== key(root.issuer)) revert("ReceivableUnauthorized", caller, rootId);
          requireActive(caller);
          if (root.debtorRaised) revert("ReceivableDisputeAlreadyRaised", rootId, caller);
          expiresAt = now + disputePeriod;
          root.debtorRaised = true;
        }
        Object.assign(root, { frozen: true, disputeExpiresAt: expiresAt, upheld: false });
      }),
    /** The caller holds OPERATOR_ROLE (the role check comes first in the contract and is AccessControl's). */
    resolveDispute: (rootId: bigint, uphold: boolean, now: bigint) =>
      transact(() => {
        requireNotPaused();
        const root = existingRoot(rootId);
        if (!frozenAt(root, now)) revert("ReceivableNotFrozen", rootId);
        if (uphold) {
          if (root.upheld) revert("ReceivableFrozen", rootId);
          Object.assign(root, { upheld: true, disputeExpiresAt: 0n });
        } else root.frozen = false;
      }),
    /** Whether the tree is under a live dispute at `now`. */
    frozenAt: (rootId: bigint, now: bigint) => frozenAt(roots.get(rootId)!, now),
    pause: () => {
      params.paused = true;
    },

    // ─── the hooks of the financing and settlement contracts ──────────────────
    // The caller is assumed to hold FINANCING_ROLE / SETTLEMENT_ROLE (the role check comes first in the
    // contract and is AccessControl's).
    financePurchase: (id: bigint, amount: bigint, financier: string, now: bigint) =>
      transact(() => finance(id, amount, financier, false, now)),
    financePledge: (id: bigint, amount: bigint, pledgee: string, now: bigint) =>
      transact(() => finance(id, amount, pledgee, true, now)),
    /** Returns the receivable as it was before burning. */
    burn: (id: bigint, now: bigint) =>
      transact(() => {
        const r = load(id);
        checkMove(id, r, r.holder, r.holder, r.flags, { allowMatured: true, allowPledged: true, allowOverdue: true }, now);
        const burnt = { ...r };
        receivables.delete(id);
        graveyard.set(id, burnt);
        bumpCount(r.holder, -1n);
        rootOfId(id).burnt += r.amount;
        return burnt;
      }),
    markOverdue: (rootId: bigint) =>
      transact(() => {
        requireNotPaused();
        const root = rootId & SEQ_MASK ? undefined : roots.get(rootId);
        if (!root) return revert("ReceivableNonexistent", rootId);
        if (root.overdue) revert("ReceivableOverdue", rootId);
        root.overdue = true;
      }),
    restoreIssuance: (coreEnterprise: string, currency: string, maturity: bigint, amount: bigint) =>
      transact(() => {
        requireNotPaused();
        closedPools.add(poolKey(coreEnterprise, currency, maturity));
        const record = organisation(coreEnterprise);
        if (amount > record.issued) revert("RegistryIssuanceRestoreExceeded", coreEnterprise, record.issued, amount);
        store(coreEnterprise, { ...record, issued: record.issued - amount });
        restored.set(key(coreEnterprise), (restored.get(key(coreEnterprise)) ?? 0n) + amount);
      }),
    unpause: () => {
      params.paused = false;
    },
  };

  /** ReceivableToken._finance: bought outright, or pledged while the holder keeps it; FINANCED for good. */
  function finance(id: bigint, amount: bigint, financier: string, pledged: boolean, now: bigint): bigint {
    const r = load(id);
    if (r.flags & FLAG_FINANCED) revert("ReceivableAlreadyFinanced", id);
    if (key(financier) === key(r.holder)) revert("ReceivableSelfTransfer", id, financier);
    requireRole(financier, OrganisationRole.Financier);
    checkMove(id, r, r.holder, financier, r.flags, {}, now);
    const flags = r.flags | FLAG_FINANCED | (pledged ? FLAG_PLEDGED | FLAG_PLEDGE_DEBT : 0);
    if (amount === r.amount) {
      if (pledged) Object.assign(r, { counterparty: financier, offerDeadline: 0n, flags });
      else {
        bumpCount(r.holder, -1n);
        bumpCount(financier, 1n);
        Object.assign(r, { holder: financier, counterparty: ZERO, offerDeadline: 0n, flags });
      }
      return id;
    }
    const holder = pledged ? r.holder : financier;
    const childId = splitOff(id, r, amount, { holder, counterparty: pledged ? financier : ZERO, offerDeadline: 0n, flags });
    bumpCount(holder, 1n);
    return childId;
  }

  function endOffer(r: ModelReceivable) {
    requireNotPaused();
    Object.assign(r, { counterparty: ZERO, offerDeadline: 0n, flags: r.flags & ~FLAG_OFFERED });
    bumpCount(r.holder, 1n);
  }

  function existingRoot(rootId: bigint): ModelRoot {
    const root = rootId & SEQ_MASK ? undefined : roots.get(rootId);
    return root ?? revert("ReceivableNonexistent", rootId);
  }

  /** A dispute holds while raised, not released, and (a debtor's, not upheld) not past its end. */
  function frozenAt(root: ModelRoot, now: bigint): boolean {
    return root.frozen && (root.disputeExpiresAt === 0n || now <= root.disputeExpiresAt);
  }
}

export type LedgerModel = ReturnType<typeof createLedgerModel>;

/**
 * The ledger's invariants over the model's state; returns what is violated (empty when all hold).
 * The property test checks them after every step, and checks the contract equals the model.
 */
export function invariantViolations(model: LedgerModel): string[] {
  const problems: string[] = [];
  const live = new Map<bigint, bigint>();
  for (const id of model.ids()) {
    const r = model.receivable(id)!;
    const root = model.root(r.rootId);
    if (!root) problems.push(`${id}: no root ${r.rootId}`);
    if ((id & ~SEQ_MASK) !== r.rootId) problems.push(`${id}: rootId ${r.rootId} is not its id's root`);
    if (r.amount <= 0n) problems.push(`${id}: live with amount ${r.amount}`);
    if (model.organisation(r.holder).role === OrganisationRole.None) problems.push(`${id}: holder ${r.holder} is not registered`);
    if (r.depth === 0) {
      if (r.parentId !== 0n || id !== r.rootId) problems.push(`${id}: depth 0 but not a root`);
    } else {
      const parent = model.receivable(r.parentId) ?? model.burntReceivable(r.parentId);
      if (!parent) problems.push(`${id}: parent ${r.parentId} missing`);
      else {
        if (parent.rootId !== r.rootId) problems.push(`${id}: parent in another tree`);
        if (parent.depth !== r.depth - 1) problems.push(`${id}: depth ${r.depth} under a parent of depth ${parent.depth}`);
      }
    }
    live.set(r.rootId, (live.get(r.rootId) ?? 0n) + r.amount);
  }
  for (const rootId of model.rootIds()) {
    const root = model.root(rootId)!;
    const amount = (live.get(rootId) ?? 0n) + root.burnt;
    if (amount !== root.face) problems.push(`tree ${rootId}: live ${live.get(rootId) ?? 0n} + burnt ${root.burnt} != face ${root.face}`);
  }
  const faces = new Map<string, bigint>();
  for (const rootId of model.rootIds()) {
    const root = model.root(rootId)!;
    faces.set(key(root.issuer), (faces.get(key(root.issuer)) ?? 0n) + root.face);
  }
  for (const address of model.organisationAddresses()) {
    const record = model.organisation(address);
    // Confirmations never take a core enterprise past its issuance limit (the operator may lower the limit
    // below what is issued; then no confirmation happens until repayment brings it back under).
    if (record.issued > record.issuanceLimit && model.confirmedSinceLimitSet(address)) {
      problems.push(`${address}: issued ${record.issued} exceeds its issuance limit ${record.issuanceLimit} after a confirmation`);
    }
    const unpaid = (faces.get(address) ?? 0n) - model.restoredCredit(address);
    if (record.issued !== unpaid) problems.push(`${address}: credit used ${record.issued} != confirmed unpaid ${unpaid}`);
    const held = model.ids().filter((id) => {
      const r = model.receivable(id)!;
      return key(r.holder) === address && !(r.flags & FLAG_OFFERED);
    }).length;
    if (record.receivableCount !== BigInt(held)) problems.push(`${address}: count ${record.receivableCount} != ${held} held`);
  }
  return problems;
}
