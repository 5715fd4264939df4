import { z } from "zod";
import { Address, AddressOut, boundedJsonObject, Bytes32, HexBytes, IsoDate, PositiveUint256, Uint256Out, typedDataOut } from "../../api/schemas";
import { TxOut } from "../tx";

/** Invoice metadata limits: deep enough for line items with nested references, small enough to store as a row. */
export const INVOICE_METADATA_MAX_DEPTH = 16;
export const INVOICE_METADATA_MAX_BYTES = 32_768;

export const InvoiceStatus = z.enum(["REGISTERED", "REJECTED", "CONFIRMED"]);

export const RegisterInvoiceBody = z
  .object({
    debtor: Address.meta({ description: "the core enterprise that owes the invoice" }),
    currency: Address.meta({ description: "the settlement token (ERC-20) the debt is paid in" }),
    amount: PositiveUint256,
    maturity: z.number().int().positive().meta({ description: "unix seconds; must be in the future" }),
    invoiceNumber: z.string().min(1).max(100),
    metadata: boundedJsonObject({ maxDepth: INVOICE_METADATA_MAX_DEPTH, maxBytes: INVOICE_METADATA_MAX_BYTES })
      .default({})
      .meta({ description: `free-form document metadata (line items, references, issue date...): nested at most ${INVOICE_METADATA_MAX_DEPTH} levels, at most ${INVOICE_METADATA_MAX_BYTES} bytes as JSON` }),
    invoiceHash: Bytes32.optional().meta({
      description:
        "keccak256 of the document you will upload; when absent, the hash of the canonical JSON of these fields is used",
    }),
  })
  .meta({ id: "RegisterInvoice" });

export const InvoiceOut = z
  .object({
    invoiceHash: z.string(),
    invoiceNumberHash: z.string().nullable().meta({
      description: "keccak256 of the normalised invoice number (NFKC, whitespace removed, upper case) the registration carries; the ledger confirms one number per supplier and debtor once",
    }),
    supplier: AddressOut,
    debtor: AddressOut,
    currency: AddressOut,
    amount: Uint256Out,
    maturity: z.number().int(),
    status: InvoiceStatus,
    rejectReason: z.string().nullable(),
    rootId: Uint256Out.nullable(),
    confirmedTxHash: z.string().nullable(),
    invoiceNumber: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    document: z.object({ uploaded: z.boolean(), contentType: z.string().nullable(), sizeBytes: z.number().int().nullable(), uploadedAt: IsoDate.nullable() }),
  })
  .meta({ id: "Invoice" });

export const InvoiceParams = z.object({ invoiceHash: Bytes32 });

/** Which registration of the hash (issue 8, F3: each supplier's registration is its own). */
export const InvoiceSupplierQuery = z.object({
  supplier: Address.optional().meta({
    description: "the supplier whose registration of this hash is meant; needed only when more than one registration is visible to you (409 InvoiceRegistrationAmbiguous lists them)",
  }),
});

export const ListInvoicesQuery = z.object({ status: InvoiceStatus.optional() });

export const RegisterInvoiceOut = TxOut.extend({ invoiceHash: z.string() }).meta({ id: "RegisterInvoiceResult" });

export const ConfirmInvoiceBody = z
  .object({
    signature: HexBytes.optional().meta({ description: "the debtor's EIP-712 Confirmation signature, for core enterprises that keep their own key" }),
    deadline: z.number().int().positive().optional().meta({ description: "the signature's deadline (unix seconds); required with `signature`" }),
    invoiceNumber: z.string().min(1).max(100).optional().meta({
      description: "the invoice number as your books hold it: the registration must carry the same number (normalised), else 409 InvoiceNumberMismatch",
    }),
  })
  .meta({ id: "ConfirmInvoice" });

export const ConfirmInvoiceOut = TxOut.extend({ rootId: Uint256Out, signature: z.string() }).meta({ id: "ConfirmInvoiceResult" });

export const RejectInvoiceBody = z.object({ reason: z.string().min(1).max(500) }).meta({ id: "RejectInvoice" });

export const ConfirmationTypedDataOut = typedDataOut("Confirmation", "ConfirmationTypedData");
