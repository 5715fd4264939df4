/**
 * Auditor exports: receivables issued, financings executed, and repayments (deposits and redemptions)
 * over a period, as CSV or JSON, straight from the indexed chain data (each row with its transaction
 * hash, so every line can be checked against the chain).
 */
import { z } from "zod";
import { defineRoute, type AnyRoute } from "../../api/route";
import { ValidationError } from "../../lib/appErrors";
import type { DomainContext } from "../context";
import type { RegistrationService, RegistrationState } from "../financing/registrations";

export const EXPORT_DATASETS = ["receivables", "financings", "repayments", "actions"] as const;
export type ExportDataset = (typeof EXPORT_DATASETS)[number];

/** The period an export covers when the caller names none: the last 30 days up to now. */
export const DEFAULT_EXPORT_DAYS = 30;

const ExportQuery = z.object({
  dataset: z.enum(EXPORT_DATASETS).meta({ description: "`actions`: the audit log of writes made through the API (who, what, on what, the transaction)" }),
  from: z.iso.datetime().optional().meta({ description: `period start (inclusive), ISO 8601; default: ${DEFAULT_EXPORT_DAYS} days before \`to\`` }),
  to: z.iso.datetime().optional().meta({ description: "period end (exclusive), ISO 8601; default: now (or just after the last indexed block, if the chain's clock runs ahead)" }),
  format: z.enum(["csv", "json"]).default("csv"),
});

type Row = Record<string, string | number | boolean | null>;

function csvCell(v: string | number | boolean | null): string {
  if (v === null) return "";
  const s = String(v);
  // Quote anything a spreadsheet could misread; a leading = + - @ is neutralised against formula injection.
  const safe = /^[=+\-@]/.test(s) && !/^-?[0-9]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(columns: readonly string[], rows: readonly Row[]): string {
  return [columns.join(","), ...rows.map((r) => columns.map((c) => csvCell(r[c] ?? null)).join(","))].join("\n") + "\n";
}

export async function exportRows(
  ctx: DomainContext,
  dataset: ExportDataset,
  fromSec: bigint,
  toSec: bigint,
  registrations?: Pick<RegistrationService, "statesOf">,
): Promise<{ columns: string[]; rows: Row[] }> {
  const period = { gte: fromSec, lt: toSec };
  if (dataset === "actions") return actionRows(ctx, fromSec, toSec);
  if (dataset === "receivables") {
    const created = await ctx.db.receivableHistory.findMany({
      where: { kind: { in: ["CONFIRMED", "CREATED"] }, blockTimestamp: period },
      orderBy: [{ blockNumber: "asc" }, { logIndex: "asc" }],
    });
    const [rows, roots] = await Promise.all([
      ctx.db.receivable.findMany({ where: { id: { in: created.map((c) => c.receivableId) } } }),
      ctx.db.receivableRoot.findMany({ where: { rootId: { in: [...new Set(created.map((c) => c.rootId))] } }, select: { rootId: true, invoiceHash: true } }),
    ]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const invoiceOf = new Map(roots.map((r) => [r.rootId, r.invoiceHash]));
    return {
      columns: ["createdAt", "receivableId", "rootId", "invoiceHash", "parentId", "issuer", "holder", "initialAmount", "amount", "currency", "maturity", "status", "financed", "pledgee", "txHash", "blockNumber"],
      rows: created.map((c) => {
        const r = byId.get(c.receivableId);
        return {
          createdAt: new Date(Number(c.blockTimestamp) * 1000).toISOString(),
          receivableId: c.receivableId,
          rootId: c.rootId,
          invoiceHash: invoiceOf.get(c.rootId) ?? null,
          parentId: r?.parentId ?? null,
          issuer: r?.issuer ?? null,
          holder: r?.holder ?? null,
          initialAmount: r?.initialAmount ?? c.amount,
          amount: r?.amount ?? null,
          currency: r?.currency ?? null,
          maturity: r === undefined ? null : Number(r.maturity),
          status: r?.status ?? null,
          financed: r?.financed ?? null,
          pledgee: r?.pledgee ?? null,
          txHash: c.txHash,
          blockNumber: Number(c.blockNumber),
        };
      }),
    };
  }
  if (dataset === "financings") {
    const rows = await ctx.db.financingExecution.findMany({ where: { blockTimestamp: period }, orderBy: [{ blockNumber: "asc" }, { logIndex: "asc" }] });
    // Each financing's PBOC registration (issue 12 item 4): status, number, date, and whether it is overdue.
    const registered = registrations === undefined ? new Map<string, RegistrationState>() : await registrations.statesOf(rows);
    return {
      columns: [
        "executedAt", "quoteHash", "receivableId", "financedId", "financier", "holder", "mode", "currency", "amount", "advance", "repayment", "txHash", "blockNumber",
        "registrationStatus", "registrationNumber", "registeredOn", "registrationOverdue", "evidenceHash",
      ],
      rows: rows.map((f) => ({
        registrationStatus: registered.get(f.quoteHash)?.status ?? null,
        registrationNumber: registered.get(f.quoteHash)?.registrationNumber ?? null,
        registeredOn: registered.get(f.quoteHash)?.registeredOn ?? null,
        registrationOverdue: registered.get(f.quoteHash)?.overdue ?? null,
        executedAt: new Date(Number(f.blockTimestamp) * 1000).toISOString(),
        quoteHash: f.quoteHash,
        receivableId: f.receivableId,
        financedId: f.financedId,
        financier: f.financier,
        holder: f.holder,
        mode: f.mode,
        currency: f.currency,
        amount: f.amount,
        advance: f.advance,
        repayment: f.repayment,
        txHash: f.txHash,
        blockNumber: Number(f.blockNumber),
        // The due-diligence record's hash as the chain emitted it (GET /v1/quotes/{id}/evidence has the record).
        evidenceHash: f.evidenceHash,
      })),
    };
  }
  const [deposits, redemptions] = await Promise.all([
    ctx.db.repaymentDeposit.findMany({ where: { blockTimestamp: period }, orderBy: [{ blockNumber: "asc" }, { logIndex: "asc" }] }),
    ctx.db.redemption.findMany({ where: { blockTimestamp: period }, orderBy: [{ blockNumber: "asc" }, { logIndex: "asc" }] }),
  ]);
  // A redemption pays in its tree's currency and is owed by its tree's issuer.
  const redeemedRoots = await ctx.db.receivableRoot.findMany({ where: { rootId: { in: [...new Set(redemptions.map((r) => r.rootId))] } }, select: { rootId: true, issuer: true, currency: true } });
  const rootOf = new Map(redeemedRoots.map((r) => [r.rootId, r]));
  const rows: { _order: [number, number]; row: Row }[] = [
    ...deposits.map((d) => ({
      _order: [Number(d.blockNumber), d.logIndex] as [number, number],
      row: {
      at: new Date(Number(d.blockTimestamp) * 1000).toISOString(),
      kind: "DEPOSIT",
      issuer: d.issuer,
      currency: d.currency,
      maturity: Number(d.maturity),
      receivableId: null,
      party: d.issuer,
      amount: d.amount,
      toHolder: null,
      pledgee: null,
      toPledgee: null,
      txHash: d.txHash,
      blockNumber: Number(d.blockNumber),
      },
    })),
    ...redemptions.map((r) => ({
      _order: [Number(r.blockNumber), r.logIndex] as [number, number],
      row: {
      at: new Date(Number(r.blockTimestamp) * 1000).toISOString(),
      kind: "REDEMPTION",
      issuer: rootOf.get(r.rootId)?.issuer ?? null,
      currency: rootOf.get(r.rootId)?.currency ?? null,
      maturity: null,
      receivableId: r.receivableId,
      party: r.holder,
      amount: r.amount,
      toHolder: r.toHolder,
      pledgee: r.pledgee,
      toPledgee: r.toPledgee,
      txHash: r.txHash,
      blockNumber: Number(r.blockNumber),
      },
    })),
  ].sort((a, b) => a._order[0] - b._order[0] || a._order[1] - b._order[1]);
  return {
    columns: ["at", "kind", "issuer", "currency", "maturity", "receivableId", "party", "amount", "toHolder", "pledgee", "toPledgee", "txHash", "blockNumber"],
    rows: rows.map((r) => r.row),
  };
}

/**
 * The audit log: each write made through the API with the credential that made it (`key:<id>` with the
 * key's label, `siwe:<address>`), what it did, to what, and its transaction. Never a secret.
 */
async function actionRows(ctx: DomainContext, fromSec: bigint, toSec: bigint): Promise<{ columns: string[]; rows: Row[] }> {
  const entries = await ctx.db.auditLog.findMany({ where: { atMs: { gte: fromSec * 1000n, lt: toSec * 1000n } }, orderBy: { id: "asc" } });
  const keyIds = [...new Set(entries.map((e) => e.actor).filter((a) => a.startsWith("key:")).map((a) => a.slice(4)))];
  const keys = await ctx.db.apiKey.findMany({ where: { id: { in: keyIds } }, select: { id: true, label: true } });
  const labelOf = new Map(keys.map((k) => [`key:${k.id}`, k.label]));
  const userIds = [...new Set(entries.map((e) => e.userId).filter((u): u is string => u !== null))];
  const users = await ctx.db.organisationUser.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true } });
  const nameOf = new Map(users.map((u) => [u.id, u.name]));
  return {
    columns: ["at", "actor", "actorLabel", "user", "userName", "action", "target", "txHash", "detail"],
    rows: entries.map((e) => ({
      at: new Date(Number(e.atMs)).toISOString(),
      actor: e.actor,
      actorLabel: labelOf.get(e.actor) ?? null,
      user: e.userId,
      userName: e.userId === null ? null : (nameOf.get(e.userId) ?? null),
      action: e.action,
      target: e.target,
      txHash: e.txHash,
      detail: e.detail,
    })),
  };
}

/** Now, or just past the last indexed block when the chain's timestamps run ahead of the clock. */
async function defaultEnd(ctx: DomainContext): Promise<number> {
  const now = ctx.now().getTime();
  const checkpoint = await ctx.reads.checkpoint();
  if (checkpoint === null) return now;
  const block = await ctx.db.indexedBlock.findUnique({ where: { number: BigInt(checkpoint) }, select: { timestamp: true } });
  return block === null ? now : Math.max(now, (Number(block.timestamp) + 1) * 1000);
}

export function auditRoutes(ctx: DomainContext, deps: { registrations?: Pick<RegistrationService, "statesOf"> } = {}): AnyRoute[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/audit/export",
      operationId: "auditExport",
      summary: "Auditor: receivables (with their invoice hash), financings, repayments or the API's audit log of writes (`actions`: who did what) over a period (default: the last 30 days), as CSV or JSON, each row with its transaction hash",
      tags: ["audit"],
      access: { kind: "authenticated", roles: ["AUDITOR", "OPERATOR"] },
      query: ExportQuery,
      response: { status: 200, description: "text/csv or application/json", contentType: "text/csv" },
      handler: async ({ query, res }) => {
        const toMs = query.to === undefined ? await defaultEnd(ctx) : Date.parse(query.to);
        const fromMs = query.from === undefined ? toMs - DEFAULT_EXPORT_DAYS * 86_400_000 : Date.parse(query.from);
        if (fromMs >= toMs) throw new ValidationError("the period is empty", [{ field: "query.from", message: "must be before `to`", code: "custom" }]);
        const period = { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
        const { columns, rows } = await exportRows(ctx, query.dataset, BigInt(Math.floor(fromMs / 1000)), BigInt(Math.floor(toMs / 1000)), deps.registrations);
        const name = `${query.dataset}-${period.from.slice(0, 10)}-${period.to.slice(0, 10)}`;
        if (query.format === "json") {
          res.setHeader("Content-Disposition", `attachment; filename="${name}.json"`);
          res.status(200).json({ dataset: query.dataset, ...period, columns, rows });
          return;
        }
        res.setHeader("Content-Disposition", `attachment; filename="${name}.csv"`);
        res.status(200).type("text/csv").send(toCsv(columns, rows));
      },
    }),
  ];
}
