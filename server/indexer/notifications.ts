/**
 * Which chain events notify whom (issue 12 item 3): the recipients of each are derived from the parties to
 * the event as the projections know them, so an organisation is told only of what it may see (the rules
 * of server/domain/access.ts and trace/needToKnow.ts):
 *
 * - TransferOffered → the receiver (`offer.toSign`): it is offered the receivable, so it sees it.
 * - InvoiceRegistered → the debtor (`invoice.toConfirm`): its invoices as debtor are its business.
 * - QuoteAccepted → the financier (`quote.accepted`): a party to the financing terms.
 * - DisputeRaised / Upheld / Released, RootOverdue → every party to the tree (its issuer, and every holder,
 *   offer receiver and pledgee of a live part): freezes and overdue marks are tree events every viewer of
 *   any part sees. The raiser is not told of its own dispute.
 * - RepaymentDeposited that completes a pool → the holders (and pledgees) of live parts in that pool
 *   (`pool.funded`), each told only of its own parts — never the pool's face or the issuer's other debts.
 *
 * Tree and pool recipients are read from the projection after the batch is applied, in the same
 * transaction (during a backfill that is the state at the end of the batch, at the head each block's own).
 * Never sends anything and never writes: it returns notices, and the outbox writes them with the block.
 */
import { toDecimal } from "../lib/encode";
import type { Sql } from "../db/sql";
import { chainNotificationId, type OutboxItem } from "../notifications/outbox";
import type { NotificationType } from "../notifications/types";
import type { ArgValue, DecodedLog } from "./decode";
import type { Unit } from "./unit";

/** Who a notice goes to: named organisations, or the parties to a tree or a pool read after the batch. */
export type Recipients =
  | { kind: "organisations"; organisations: string[] }
  | { kind: "tree"; rootId: string; except?: string }
  | { kind: "pool"; issuer: string; currency: string; maturity: bigint };

export interface ChainNotice {
  type: NotificationType;
  recipients: Recipients;
  data: Record<string, unknown>;
  log: Pick<DecodedLog, "blockNumber" | "blockHash" | "txHash" | "logIndex">;
  timestamp: bigint;
}

type Args = Record<string, ArgValue>;
const str = (v: ArgValue | undefined) => String(v).toLowerCase();
const dec = (v: ArgValue | undefined) => toDecimal(v as bigint);

interface Notifier {
  notices(args: Args, unit: Unit): Omit<ChainNotice, "log" | "timestamp">[];
}

const disputeNotice = (type: NotificationType, extra: (a: Args) => Record<string, unknown>, except?: (a: Args) => string): Notifier => ({
  notices: (a) => [{ type, recipients: { kind: "tree", rootId: dec(a.rootId), ...(except ? { except: except(a) } : {}) }, data: { rootId: dec(a.rootId), ...extra(a) } }],
});

export const NOTIFIERS: Record<string, Notifier> = {
  "ReceivableToken.TransferOffered": {
    notices(a, unit) {
      // The handler preloaded (and has just updated) the receivable: its amount and terms are the offer's.
      const r = unit.get("receivable", dec(a.id));
      return [
        {
          type: "offer.toSign",
          recipients: { kind: "organisations", organisations: [str(a.to)] },
          data: {
            receivableId: dec(a.id),
            from: str(a.from),
            deadline: Number(a.deadline),
            amount: r?.amount ?? null,
            currency: r?.currency ?? null,
            maturity: r ? Number(r.maturity) : null,
            issuer: r?.issuer ?? null,
          },
        },
      ];
    },
  },
  "ReceivableToken.InvoiceRegistered": {
    notices: (a) => [
      {
        type: "invoice.toConfirm",
        recipients: { kind: "organisations", organisations: [str(a.debtor)] },
        data: { invoiceHash: str(a.invoiceHash), supplier: str(a.supplier), currency: str(a.currency), amount: dec(a.amount), maturity: Number(a.maturity) },
      },
    ],
  },
  "FinancingSettlement.QuoteAccepted": {
    notices: (a) => [
      {
        type: "quote.accepted",
        recipients: { kind: "organisations", organisations: [str(a.financier)] },
        data: {
          quoteHash: str(a.quoteHash),
          receivableId: dec(a.receivableId),
          financedId: dec(a.financedId),
          holder: str(a.holder),
          mode: Number(a.mode) === 1 ? "PLEDGE" : "PURCHASE",
          currency: str(a.currency),
          amount: dec(a.amount),
          advance: dec(a.advance),
          repayment: dec(a.repayment),
          // The financier's own decision record, anchored with the quote (issue 12 item 6).
          evidenceHash: str(a.evidenceHash),
        },
      },
    ],
  },
  "ReceivableToken.DisputeRaised": disputeNotice(
    "dispute.raised",
    (a) => ({ raiser: str(a.raiser), evidenceHash: str(a.evidenceHash), expiresAt: Number(a.expiresAt) === 0 ? null : Number(a.expiresAt) }),
    (a) => str(a.raiser),
  ),
  "ReceivableToken.DisputeUpheld": disputeNotice("dispute.resolved", () => ({ outcome: "UPHELD" })),
  "ReceivableToken.DisputeReleased": disputeNotice("dispute.resolved", () => ({ outcome: "RELEASED" })),
  "ReceivableToken.RootOverdue": disputeNotice("receivable.overdue", () => ({})),
  "RepaymentVault.RepaymentDeposited": {
    notices(a) {
      const deposited = a.deposited as bigint;
      const face = a.face as bigint;
      // Only the deposit that completes the pool: later ones (a pool over-funded) tell nothing new.
      if (deposited < face || deposited - (a.amount as bigint) >= face) return [];
      return [
        {
          type: "pool.funded",
          recipients: { kind: "pool", issuer: str(a.issuer), currency: str(a.currency), maturity: a.maturity as bigint },
          data: { poolId: str(a.poolId), issuer: str(a.issuer), currency: str(a.currency), maturity: Number(a.maturity) },
        },
      ];
    },
  },
};

/**
 * The outbox rows of a batch's notices, recipients resolved against the projection the batch just wrote
 * (call it after the projection is written, in the same transaction).
 */
export async function resolveNotices(tx: Sql, notices: readonly ChainNotice[]): Promise<OutboxItem[]> {
  const items: OutboxItem[] = [];
  for (const n of notices) {
    const perOrganisation = new Map<string, Record<string, unknown>>();
    const r = n.recipients;
    if (r.kind === "organisations") {
      for (const o of r.organisations) perOrganisation.set(o, n.data);
    } else if (r.kind === "tree") {
      const parties = await tx.query<{ issuer: string; holder: string; offered_to: string | null; pledgee: string | null }>(
        `SELECT "issuer", "holder", "offered_to", "pledgee" FROM "receivable" WHERE "root_id" = ? AND "status" <> 'BURNED'`,
        [r.rootId],
      );
      const root = await tx.query<{ issuer: string }>(`SELECT "issuer" FROM "receivable_root" WHERE "root_id" = ?`, [r.rootId]);
      const all = new Set<string>(root.map((x) => x.issuer));
      for (const p of parties) for (const o of [p.holder, p.offered_to, p.pledgee]) if (o !== null) all.add(o);
      for (const o of all) if (o !== r.except) perOrganisation.set(o, n.data);
    } else {
      const parts = await tx.query<{ id: string; holder: string; pledgee: string | null }>(
        `SELECT "id", "holder", "pledgee" FROM "receivable" WHERE "issuer" = ? AND "currency" = ? AND "maturity" = ? AND "status" <> 'BURNED' ORDER BY "id"`,
        [r.issuer, r.currency, r.maturity],
      );
      const own = new Map<string, string[]>();
      for (const p of parts) {
        for (const o of [p.holder, p.pledgee]) {
          if (o === null || o === r.issuer) continue;
          own.set(o, [...(own.get(o) ?? []), String(p.id)]);
        }
      }
      for (const [o, ids] of own) perOrganisation.set(o, { ...n.data, receivableIds: ids });
    }
    for (const [organisation, data] of perOrganisation) {
      items.push({
        id: chainNotificationId({ blockHash: n.log.blockHash, logIndex: n.log.logIndex, type: n.type, organisation }),
        organisation,
        type: n.type,
        data: { ...data, occurredAt: Number(n.timestamp) },
        source: "CHAIN",
        blockNumber: n.log.blockNumber,
        blockHash: n.log.blockHash,
        txHash: n.log.txHash,
      });
    }
  }
  return items;
}
