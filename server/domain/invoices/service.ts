/**
 * Invoices: the supplier registers an invoice (its document's metadata off chain, its hash and terms on
 * chain) and may upload the document itself, whose keccak256 must equal the invoice hash; the core
 * enterprise lists what awaits it and confirms (its EIP-712 signature, made by the server with its
 * custodial key or relayed from its own wallet) or rejects with a reason.
 *
 * A registration belongs to its supplier (the ledger keys it by supplier and hash, issue 8 F3): two
 * suppliers may register one hash, and neither blocks the other. Routes name an invoice by its hash and,
 * when more than one registration of it is visible to the caller, by `supplier` as well.
 */
import fs from "node:fs";
import path from "node:path";
import { keccak256, toUtf8Bytes } from "ethers";
import type { Principal } from "../../auth/principal";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../lib/appErrors";
import { invoiceRowId } from "../../lib/encode";
import { requireEvent } from "../../lib/receipt";
import {
  CONFIRMATION_TYPES,
  confirmationDigest,
  confirmationDomain,
  confirmationMessage,
  confirmationNonceOf,
  invoiceNumberHashOf,
  recoverConfirmationSigner,
  type Invoice,
} from "../../lib/typedData";
import { isPrivileged, organisationOf } from "../access";
import { assertInvoiceNotPending } from "../finality";
import type { DomainContext } from "../context";
import { audit, settle, type TxResult } from "../tx";

/** Canonical JSON: keys sorted at every level, no whitespace, bigints as decimal strings. */
export function canonicalJson(value: unknown): string {
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Seconds a server-made confirmation signature stays valid: it is submitted at once. */
const SERVER_SIGNATURE_WINDOW = 600n;

export interface RegisterInvoiceInput {
  debtor: string;
  currency: string;
  amount: bigint;
  maturity: number;
  invoiceNumber: string;
  metadata: Record<string, unknown>;
  invoiceHash?: string | undefined;
}

export function createInvoiceService(ctx: DomainContext, options: { documentDir: string }) {
  type InvoiceRow = NonNullable<Awaited<ReturnType<typeof ctx.db.invoice.findUnique>>>;
  type DocumentRow = NonNullable<Awaited<ReturnType<typeof ctx.db.invoiceDocument.findUnique>>>;

  /**
   * The registration of `invoiceHash` the caller means and may see: the one `supplier` names; else the
   * only one visible to it; else its own (as supplier), else the confirmed one. Otherwise the caller must
   * say which: 409 InvoiceRegistrationAmbiguous with the suppliers. Not visible: 404.
   */
  async function visible(principal: Principal, invoiceHash: string, supplier?: string) {
    const where = { invoiceHash, ...(supplier === undefined ? {} : { supplier }) };
    const [rows, docs] = await Promise.all([ctx.db.invoice.findMany({ where }), ctx.db.invoiceDocument.findMany({ where })]);
    const org = organisationOf(principal);
    const mayRead = (parties: { supplier: string; debtor: string }) =>
      isPrivileged(principal) || (org !== undefined && (org === parties.supplier || org === parties.debtor));
    const bySupplier = new Map<string, { row: InvoiceRow | null; doc: DocumentRow | null }>();
    for (const row of rows) if (mayRead(row)) bySupplier.set(row.supplier, { row, doc: null });
    for (const doc of docs) {
      if (!mayRead(doc)) continue;
      bySupplier.set(doc.supplier, { row: bySupplier.get(doc.supplier)?.row ?? null, doc });
    }
    const found = [...bySupplier.values()];
    if (found.length === 0) throw new NotFoundError("invoice", invoiceHash);
    if (found.length === 1) return found[0]!;
    const own = org === undefined ? undefined : bySupplier.get(org);
    if (own !== undefined) return own;
    const confirmed = found.filter((f) => f.row?.status === "CONFIRMED");
    if (confirmed.length === 1) return confirmed[0]!;
    throw new ConflictError("InvoiceRegistrationAmbiguous", "more than one supplier registered this invoice hash; name the one you mean with ?supplier=", {
      suppliers: [...bySupplier.keys()].sort(),
    });
  }

  function view(row: NonNullable<Awaited<ReturnType<typeof visible>>["row"]>, doc: Awaited<ReturnType<typeof visible>>["doc"]) {
    return {
      invoiceHash: row.invoiceHash,
      invoiceNumberHash: row.invoiceNumberHash,
      supplier: row.supplier,
      debtor: row.debtor,
      currency: row.currency,
      amount: row.amount,
      maturity: Number(row.maturity),
      status: row.status as "REGISTERED" | "REJECTED" | "CONFIRMED",
      rejectReason: row.rejectReason,
      rootId: row.rootId,
      confirmedTxHash: row.confirmedTxHash,
      invoiceNumber: doc?.invoiceNumber ?? null,
      metadata: doc === null ? null : (JSON.parse(doc.metadata) as Record<string, unknown>),
      document: {
        uploaded: doc?.storedPath != null,
        contentType: doc?.contentType ?? null,
        sizeBytes: doc?.sizeBytes ?? null,
        uploadedAt: doc?.uploadedAtMs == null ? null : new Date(Number(doc.uploadedAtMs)).toISOString(),
      },
    };
  }

  /** A registration the API recorded that the read views do not show: 409 NotYetFinal while its block is not indexed, else 404. */
  async function notIndexed(invoiceHash: string, doc: DocumentRow | null): Promise<never> {
    if (doc !== null) await assertInvoiceNotPending(ctx, invoiceHash, doc.supplier);
    throw new NotFoundError("invoice", invoiceHash);
  }

  /** The terms the ledger holds for a registration, as the debtor confirms them. */
  function termsOf(row: InvoiceRow): Invoice {
    if (row.invoiceNumberHash === null) throw new ConflictError("InvoiceNumberUnknown", "this registration was indexed without its invoice number's hash");
    return {
      invoiceHash: row.invoiceHash,
      invoiceNumberHash: row.invoiceNumberHash,
      supplier: row.supplier,
      debtor: row.debtor,
      currency: row.currency,
      amount: BigInt(row.amount),
      maturity: row.maturity,
    };
  }

  async function asDebtor(principal: Principal, invoiceHash: string, supplier?: string) {
    const { row, doc } = await visible(principal, invoiceHash, supplier);
    if (row === null) return notIndexed(invoiceHash, doc);
    if (organisationOf(principal) !== row.debtor) throw new ForbiddenError("NotDebtor", "only the invoice's debtor may do this");
    if (row.status !== "REGISTERED") throw new ConflictError("InvoiceNotPending", `the invoice is ${row.status.toLowerCase()}, not awaiting confirmation`);
    return termsOf(row);
  }

  return {
    async register(principal: Principal, input: RegisterInvoiceInput): Promise<TxResult & { invoiceHash: string }> {
      const supplier = organisationOf(principal) as string;
      const invoiceHash =
        input.invoiceHash ??
        keccak256(
          toUtf8Bytes(
            canonicalJson({
              invoiceNumber: input.invoiceNumber,
              supplier,
              debtor: input.debtor,
              currency: input.currency,
              amount: input.amount,
              maturity: input.maturity,
              metadata: input.metadata,
            }),
          ),
        );
      // Another supplier's registration of the same hash is no obstacle (issue 8, F3): each has its own.
      const sent = await ctx.chain.signers.send(supplier, (s) =>
        ctx.chain.ledger.connect(s).registerInvoice({
          invoiceHash,
          invoiceNumberHash: invoiceNumberHashOf(input.invoiceNumber),
          supplier,
          debtor: input.debtor,
          currency: input.currency,
          amount: input.amount,
          maturity: BigInt(input.maturity),
        }),
      );
      await ctx.db.invoiceDocument.upsert({
        where: { invoiceHash_supplier: { invoiceHash, supplier } },
        create: {
          invoiceHash,
          supplier,
          debtor: input.debtor,
          invoiceNumber: input.invoiceNumber,
          metadata: JSON.stringify(input.metadata),
          createdAtMs: BigInt(ctx.now().getTime()),
        },
        update: { debtor: input.debtor, invoiceNumber: input.invoiceNumber, metadata: JSON.stringify(input.metadata) },
      });
      await audit(ctx, { actor: supplier, action: "invoice.register", target: invoiceHash, txHash: sent.txHash, detail: { debtor: input.debtor, amount: input.amount } });
      return { ...(await settle(ctx, sent)), invoiceHash };
    },

    /** Stores the document if and only if its keccak256 is the invoice hash. */
    async upload(principal: Principal, invoiceHash: string, bytes: Buffer, contentType: string) {
      const org = organisationOf(principal);
      // A supplier uploads the document of its own registration.
      const { doc } = await visible(principal, invoiceHash, principal.kind === "ORGANISATION" && principal.role === "SUPPLIER" ? org : undefined);
      if (doc === null || doc.supplier !== org) throw new ForbiddenError("NotSupplier", "only the invoice's supplier may upload its document");
      const actual = keccak256(bytes);
      if (actual !== invoiceHash) {
        throw new ValidationError("the document's keccak256 is not the invoice hash", [
          { field: "body", message: `keccak256 of the upload is ${actual}`, code: "custom" },
        ]);
      }
      fs.mkdirSync(options.documentDir, { recursive: true });
      const file = `${invoiceHash.slice(2)}.bin`;
      fs.writeFileSync(path.join(options.documentDir, file), bytes);
      await ctx.db.invoiceDocument.update({
        where: { invoiceHash_supplier: { invoiceHash, supplier: doc.supplier } },
        data: { storedPath: file, contentType, sizeBytes: bytes.length, uploadedAtMs: BigInt(ctx.now().getTime()) },
      });
      return { invoiceHash, sizeBytes: bytes.length, keccak256: actual };
    },

    async download(principal: Principal, invoiceHash: string, supplier?: string): Promise<{ bytes: Buffer; contentType: string }> {
      const { doc } = await visible(principal, invoiceHash, supplier);
      if (doc?.storedPath == null) throw new NotFoundError("document of invoice", invoiceHash);
      const bytes = fs.readFileSync(path.join(options.documentDir, path.basename(doc.storedPath)));
      // Re-checked on the way out: a file altered on disk is never served as the invoice.
      if (keccak256(bytes) !== invoiceHash) throw new ConflictError("DocumentTampered", "the stored document no longer matches its hash");
      return { bytes, contentType: doc.contentType ?? "application/octet-stream" };
    },

    async list(principal: Principal, filter: { status?: "REGISTERED" | "REJECTED" | "CONFIRMED" | undefined }) {
      const org = organisationOf(principal);
      const scope = isPrivileged(principal)
        ? {}
        : principal.kind === "ORGANISATION" && principal.role === "CORE_ENTERPRISE"
          ? { debtor: org ?? "" }
          : { supplier: org ?? "" };
      const rows = await ctx.db.invoice.findMany({
        where: { ...scope, ...(filter.status === undefined ? {} : { status: filter.status }) },
        orderBy: [{ maturity: "asc" }, { invoiceHash: "asc" }],
        take: 500,
      });
      const docs = await ctx.db.invoiceDocument.findMany({ where: { invoiceHash: { in: rows.map((r) => r.invoiceHash) } } });
      const docByKey = new Map(docs.map((d) => [invoiceRowId(d.supplier, d.invoiceHash), d]));
      return { items: rows.map((r) => view(r, docByKey.get(r.id) ?? null)) };
    },

    async get(principal: Principal, invoiceHash: string, supplier?: string) {
      const { row, doc } = await visible(principal, invoiceHash, supplier);
      if (row === null) return notIndexed(invoiceHash, doc);
      return view(row, doc);
    },

    /** The typed data a core enterprise that keeps its own key signs to confirm (its nonce: the invoice hash). */
    async confirmationTypedData(principal: Principal, invoiceHash: string, deadline: bigint, supplier?: string) {
      const terms = await asDebtor(principal, invoiceHash, supplier);
      const nonce = confirmationNonceOf(terms);
      const domain = confirmationDomain(ctx.chain.chainId, ctx.chain.addresses.ledger);
      const message = confirmationMessage(terms, nonce, deadline);
      return {
        domain: { ...domain, chainId: domain.chainId.toString() },
        types: CONFIRMATION_TYPES,
        primaryType: "Confirmation" as const,
        message: Object.fromEntries(Object.entries(message).map(([k, v]) => [k, v.toString()])),
        digest: confirmationDigest(ctx.chain.chainId, ctx.chain.addresses.ledger, terms, nonce, deadline),
      };
    },

    /**
     * Confirms with an EIP-712 signature either way, so that every root receivable has a signature an
     * auditor can check: relayed from the debtor's own wallet, or made here with its custodial key.
     */
    async confirm(
      principal: Principal,
      invoiceHash: string,
      input: { signature?: string | undefined; deadline?: number | undefined; supplier?: string | undefined; invoiceNumber?: string | undefined },
    ) {
      const terms = await asDebtor(principal, invoiceHash, input.supplier);
      // The debtor may state the invoice number its own books hold: the registration must carry that number.
      if (input.invoiceNumber !== undefined && invoiceNumberHashOf(input.invoiceNumber) !== terms.invoiceNumberHash) {
        throw new ConflictError("InvoiceNumberMismatch", "the registration is for another invoice number", {
          invoiceNumberHash: terms.invoiceNumberHash,
          stated: invoiceNumberHashOf(input.invoiceNumber),
        });
      }
      let signature = input.signature;
      let deadline: bigint;
      let sender: string;
      if (signature !== undefined) {
        if (input.deadline === undefined) {
          throw new ValidationError("deadline is required with a signature", [{ field: "body.deadline", message: "required", code: "invalid_type" }]);
        }
        deadline = BigInt(input.deadline);
        const nonce = confirmationNonceOf(terms);
        // Checked here as well as on chain so a bad signature costs no gas and gets a clear answer.
        let signer: string;
        try {
          signer = recoverConfirmationSigner(ctx.chain.chainId, ctx.chain.addresses.ledger, terms, nonce, deadline, signature);
        } catch {
          signer = "";
        }
        if (signer !== terms.debtor) throw new ConflictError("ReceivableInvalidSigner", "the signature is not the debtor's confirmation of these terms", { signer, debtor: terms.debtor });
        sender = ctx.chain.signers.signerOf(terms.debtor) !== undefined ? terms.debtor : "relayer";
      } else {
        const wallet = ctx.chain.signers.signerOf(terms.debtor);
        if (wallet === undefined) {
          throw new ForbiddenError("NoCustodialKey", "the server does not hold this organisation's key; sign the confirmation typed data and send the signature");
        }
        const nonce = confirmationNonceOf(terms);
        // The chain's clock decides expiry; it may run ahead of ours (a test chain, a skewed host).
        const latest = await ctx.chain.latestBlock();
        const chainSec = BigInt(latest?.timestamp ?? 0);
        const ourSec = BigInt(Math.floor(ctx.now().getTime() / 1000));
        deadline = (chainSec > ourSec ? chainSec : ourSec) + SERVER_SIGNATURE_WINDOW;
        signature = await wallet.signTypedData(
          confirmationDomain(ctx.chain.chainId, ctx.chain.addresses.ledger),
          CONFIRMATION_TYPES,
          confirmationMessage(terms, nonce, deadline),
        );
        sender = terms.debtor;
      }
      const finalSignature = signature;
      const sent = await ctx.chain.signers.send(sender, (s) => ctx.chain.ledger.connect(s).confirmInvoiceWithSignature(terms, confirmationNonceOf(terms), deadline, finalSignature));
      const rootId = requireEvent(ctx.chain.ledger, sent.receipt.logs, "InvoiceConfirmed").rootId.toString();
      await audit(ctx, { actor: terms.debtor, action: "invoice.confirm", target: invoiceHash, txHash: sent.txHash, detail: { rootId, relayed: input.signature !== undefined } });
      return { ...(await settle(ctx, sent)), rootId, signature: finalSignature };
    },

    async reject(principal: Principal, invoiceHash: string, reason: string, supplier?: string): Promise<TxResult> {
      const terms = await asDebtor(principal, invoiceHash, supplier);
      const sent = await ctx.chain.signers.send(terms.debtor, (s) => ctx.chain.ledger.connect(s).rejectInvoice(invoiceHash, terms.supplier, reason));
      await audit(ctx, { actor: terms.debtor, action: "invoice.reject", target: invoiceHash, txHash: sent.txHash, detail: { reason } });
      return settle(ctx, sent);
    },
  };
}

export type InvoiceService = ReturnType<typeof createInvoiceService>;
