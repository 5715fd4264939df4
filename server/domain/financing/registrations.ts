/**
 * Registration of transfers and pledges (issue 12 item 4). In China a receivable's transfer (purchase) or
 * pledge is registered in the PBOC movable-property financing registry (动产融资统一登记公示系统); banks
 * search it to see what was financed before. For every financing executed on chain this module produces
 * the record its financier files — the parties, the receivable (invoice hash, the invoice number's
 * commitment and, where its supplier registered it here, the number), the amounts, the maturity and the
 * registration period — and keeps the registration number and date the financier obtained. A financing
 * still unregistered `dueDays` after its execution is flagged wherever its status is shown.
 *
 * Need to know: the record and its status are the financier's business (and the operator's and the
 * auditor's); anyone else — the holder included, another financier — reads 404 as for a financing that
 * does not exist. The registry itself is public, so a financing's registration number is what the market
 * may see of it (the risk view shows registered and unregistered counts per tree, nothing else).
 */
import type { Principal } from "../../auth/principal";
import { ConflictError, NotFoundError, ValidationError } from "../../lib/appErrors";
import { isPrivileged, organisationOf } from "../access";
import type { DomainContext } from "../context";
import type { CurrencyDirectory } from "../money/currencies";
import { audit } from "../tx";

/** Days a financing may stay unregistered before it is flagged, when API_REGISTRATION_DUE_DAYS is not set. */
export const DEFAULT_REGISTRATION_DUE_DAYS = 10;
/** Months a registration runs past the receivable's maturity (collection and disputes take time). */
export const REGISTRATION_MARGIN_MONTHS = 6;
/** The registry's longest registration period: 30 years. */
export const MAX_REGISTRATION_MONTHS = 360;

const DAY_MS = 86_400_000;

/** A registry number as we accept it: 10–40 characters of digits and capital letters (our rule; the registry's numbers fit it). */
export const REGISTRATION_NUMBER_PATTERN = /^[0-9A-Z]{10,40}$/;

export type RegistrationStatus = "REGISTERED" | "UNREGISTERED";

export interface RegistrationState {
  status: RegistrationStatus;
  registrationNumber: string | null;
  registeredOn: string | null;
  /** The day by which it should be registered (execution + dueDays), YYYY-MM-DD (UTC). */
  dueBy: string;
  /** Unregistered and older than dueDays. */
  overdue: boolean;
}

type Execution = Awaited<ReturnType<DomainContext["db"]["financingExecution"]["findMany"]>>[number];
type Registration = Awaited<ReturnType<DomainContext["db"]["financingRegistration"]["findMany"]>>[number];

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Whole months (30 days) from `fromSec` to `toSec`, rounded up, plus the margin; 1 … 360. */
export function registrationPeriodMonths(fromSec: number, toSec: number): number {
  const months = Math.ceil(Math.max(0, toSec - fromSec) / (30 * 86_400)) + REGISTRATION_MARGIN_MONTHS;
  return Math.min(MAX_REGISTRATION_MONTHS, Math.max(1, months));
}

function addMonths(day: string, months: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

export function createRegistrationService(ctx: DomainContext, deps: { currencies: CurrencyDirectory; dueDays: number }) {
  const executedMs = (e: Pick<Execution, "blockTimestamp">) => Number(e.blockTimestamp) * 1000;

  function stateOf(e: Pick<Execution, "blockTimestamp">, r: Registration | null | undefined): RegistrationState {
    const dueMs = executedMs(e) + deps.dueDays * DAY_MS;
    if (r !== null && r !== undefined) return { status: "REGISTERED", registrationNumber: r.registrationNumber, registeredOn: r.registeredOn, dueBy: isoDay(dueMs), overdue: false };
    return { status: "UNREGISTERED", registrationNumber: null, registeredOn: null, dueBy: isoDay(dueMs), overdue: ctx.now().getTime() > dueMs };
  }

  /** The financing, if `principal` may see its registration: its financier, the operator, an auditor. */
  async function visible(principal: Principal, quoteHash: string): Promise<Execution> {
    const execution = await ctx.db.financingExecution.findUnique({ where: { quoteHash } });
    if (execution === null) throw new NotFoundError("financing", quoteHash);
    if (isPrivileged(principal) || organisationOf(principal) === execution.financier) return execution;
    throw new NotFoundError("financing", quoteHash);
  }

  /**
   * What the API knows of a party: its address, role and KYC record hash from the chain, and from its
   * approved profile (issue 12 item 1) its legal name, unified social credit code and registered address
   * (null while it has none).
   */
  async function parties(addresses: string[]) {
    const [rows, profiles] = await Promise.all([
      ctx.db.organisation.findMany({ where: { address: { in: addresses } } }),
      ctx.db.organisationProfile.findMany({ where: { address: { in: addresses }, status: "APPROVED" } }),
    ]);
    const of = new Map(rows.map((r) => [r.address, r]));
    const profileOf = new Map(profiles.map((p) => [p.address, p]));
    return (address: string) => {
      const row = of.get(address);
      const profile = profileOf.get(address);
      return {
        address,
        role: row?.role ?? null,
        kycHash: row?.kycHash ?? null,
        name: profile?.legalNameZh ?? null,
        nameEn: profile?.legalNameEn ?? null,
        creditCode: profile?.creditCode ?? null,
        registeredAddress: profile?.registeredAddress ?? null,
      };
    };
  }

  async function record(execution: Execution) {
    const [receivable, registration] = await Promise.all([
      ctx.db.receivable.findUnique({ where: { id: execution.financedId } }),
      ctx.db.financingRegistration.findUnique({ where: { quoteHash: execution.quoteHash } }),
    ]);
    const rootId = receivable?.rootId ?? execution.financedId;
    const root = await ctx.db.receivableRoot.findUnique({ where: { rootId } });
    const [invoice, document, currency] = await Promise.all([
      root === null ? null : ctx.db.invoice.findUnique({ where: { id: `${root.supplier}:${root.invoiceHash}` } }),
      root === null ? null : ctx.db.invoiceDocument.findUnique({ where: { invoiceHash_supplier: { invoiceHash: root.invoiceHash, supplier: root.supplier } } }),
      deps.currencies.get(execution.currency),
    ]);
    const debtor = receivable?.issuer ?? root?.issuer ?? null;
    const party = await parties([execution.financier, execution.holder, ...(debtor === null ? [] : [debtor])]);
    const maturity = receivable === null ? Number(root?.maturity ?? 0n) : Number(receivable.maturity);
    const executedAt = executedMs(execution);
    const periodStart = registration?.registeredOn ?? isoDay(ctx.now().getTime());
    const months = registrationPeriodMonths(Math.floor(executedAt / 1000), maturity);
    const purchase = execution.mode === "PURCHASE";
    return {
      financing: {
        quoteHash: execution.quoteHash,
        mode: execution.mode as "PURCHASE" | "PLEDGE",
        registrationType: purchase ? ("TRANSFER" as const) : ("PLEDGE" as const),
        executedAt: new Date(executedAt).toISOString(),
        txHash: execution.txHash,
        blockNumber: Number(execution.blockNumber),
      },
      parties: {
        // Transfer: the holder assigns (出让人), the financier takes (受让人). Pledge: the holder pledges (出质人) to the financier (质权人).
        financier: { ...party(execution.financier), capacity: purchase ? ("TRANSFEREE" as const) : ("PLEDGEE" as const) },
        holder: { ...party(execution.holder), capacity: purchase ? ("TRANSFEROR" as const) : ("PLEDGOR" as const) },
        debtor: debtor === null ? null : { ...party(debtor), capacity: "DEBTOR" as const },
      },
      receivable: {
        financedId: execution.financedId,
        receivableId: execution.receivableId,
        rootId,
        invoiceHash: root?.invoiceHash ?? null,
        invoiceNumberCommitment: invoice?.invoiceNumberHash ?? null,
        invoiceNumber: document?.invoiceNumber ?? null,
        currency: { address: execution.currency, symbol: currency?.symbol ?? null, decimals: currency?.decimals ?? null },
        amount: execution.amount,
        maturity: new Date(maturity * 1000).toISOString().slice(0, 10),
        description: `Accounts receivable ${execution.financedId} (lineage tree ${rootId}) owed by ${debtor ?? "unknown"}, from invoice ${root?.invoiceHash ?? "unknown"}; ${execution.amount} base units of ${currency?.symbol ?? execution.currency}, due ${new Date(maturity * 1000).toISOString().slice(0, 10)}`,
      },
      amounts: {
        currency: execution.currency,
        financed: execution.amount,
        advance: execution.advance,
        // The secured claim of a pledge: what the pledgor owes back.
        securedClaim: purchase ? null : execution.repayment,
      },
      registrationPeriod: { months, from: periodStart, to: addMonths(periodStart, months) },
      registration: { ...stateOf(execution, registration), recordedAt: registration === null ? null : new Date(Number(registration.recordedAtMs)).toISOString() },
    };
  }

  return {
    stateOf,

    /** The registration of each given financing (quote hash → state). */
    async statesOf(executions: readonly Pick<Execution, "quoteHash" | "blockTimestamp">[]): Promise<Map<string, RegistrationState>> {
      const rows = await ctx.db.financingRegistration.findMany({ where: { quoteHash: { in: executions.map((e) => e.quoteHash) } } });
      const of = new Map(rows.map((r) => [r.quoteHash, r]));
      return new Map(executions.map((e) => [e.quoteHash, stateOf(e, of.get(e.quoteHash))]));
    },

    /** The record the financier files: its financier, the operator and auditors only. */
    async get(principal: Principal, quoteHash: string) {
      return record(await visible(principal, quoteHash));
    },

    /**
     * The financier records the number and date the registry gave it. Once: the same values again answer
     * as before (a retry), other values are 409 RegistrationAlreadyRecorded.
     */
    async put(principal: Principal, quoteHash: string, input: { registrationNumber: string; registeredOn: string }) {
      const execution = await visible(principal, quoteHash);
      if (organisationOf(principal) !== execution.financier) throw new NotFoundError("financing", quoteHash);
      const executedDay = isoDay(executedMs(execution));
      const today = isoDay(ctx.now().getTime());
      if (input.registeredOn < executedDay || input.registeredOn > today) {
        throw new ValidationError("the registration date is outside the financing's life", [
          { field: "body.registeredOn", message: `between the financing's execution (${executedDay}) and today (${today})`, code: "custom" },
        ]);
      }
      const existing = await ctx.db.financingRegistration.findUnique({ where: { quoteHash } });
      if (existing === null) {
        try {
          await ctx.db.financingRegistration.create({
            data: { quoteHash, financier: execution.financier, registrationNumber: input.registrationNumber, registeredOn: input.registeredOn, recordedBy: principal.credentialId, recordedAtMs: BigInt(ctx.now().getTime()) },
          });
        } catch (err) {
          // Two recordings at once: the other one won; judge this one against it below.
          const raced = await ctx.db.financingRegistration.findUnique({ where: { quoteHash } });
          if (raced === null) throw err;
          return conflictOrSame(raced, input, execution);
        }
        await audit(ctx, { actor: principal.credentialId, action: "registration.record", target: quoteHash, detail: input });
        return record(execution);
      }
      return conflictOrSame(existing, input, execution);
    },
  };

  async function conflictOrSame(existing: Registration, input: { registrationNumber: string; registeredOn: string }, execution: Execution) {
    if (existing.registrationNumber !== input.registrationNumber || existing.registeredOn !== input.registeredOn) {
      throw new ConflictError("RegistrationAlreadyRecorded", "this financing's registration was recorded with other values", {
        registrationNumber: existing.registrationNumber,
        registeredOn: existing.registeredOn,
      });
    }
    return record(execution);
  }
}

export type RegistrationService = ReturnType<typeof createRegistrationService>;
