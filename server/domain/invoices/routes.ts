import { z } from "zod";
import { defineRoute, txRoute, type AnyRoute } from "../../api/route";
import { ACCESS_ROLES } from "../../auth/principal";
import { TxOut } from "../tx";
import {
  ConfirmationTypedDataOut,
  ConfirmInvoiceBody,
  ConfirmInvoiceOut,
  InvoiceOut,
  InvoiceParams,
  InvoiceSupplierQuery,
  ListInvoicesQuery,
  RegisterInvoiceBody,
  RegisterInvoiceOut,
  RejectInvoiceBody,
} from "./schemas";
import type { InvoiceService } from "./service";

export function invoiceRoutes(service: InvoiceService): AnyRoute[] {
  return [
    txRoute({
      path: "/v1/invoices",
      operationId: "registerInvoice",
      summary: "Supplier: register an invoice (metadata off chain; hash and terms on chain) for its debtor to confirm",
      tags: ["invoices"],
      roles: ["SUPPLIER"],
      body: RegisterInvoiceBody,
      response: { status: 201, description: "Registered (transaction mined)", schema: RegisterInvoiceOut },
      errors: [409],
      handler: async ({ principal, body }) => service.register(principal, body),
    }),
    defineRoute({
      method: "get",
      path: "/v1/invoices",
      operationId: "listInvoices",
      summary: "Invoices of the caller: a supplier's own, a core enterprise's to confirm (status=REGISTERED) and confirmed; all for operator and auditors",
      tags: ["invoices"],
      access: { kind: "authenticated", roles: ["OPERATOR", "AUDITOR", "CORE_ENTERPRISE", "SUPPLIER"] },
      query: ListInvoicesQuery,
      response: { status: 200, description: "Invoices", schema: z.object({ items: z.array(InvoiceOut) }) },
      handler: async ({ principal, query }) => service.list(principal, query),
    }),
    defineRoute({
      method: "get",
      path: "/v1/invoices/{invoiceHash}",
      operationId: "getInvoice",
      summary: "One invoice of the caller (as supplier or debtor)",
      tags: ["invoices"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      params: InvoiceParams,
      query: InvoiceSupplierQuery,
      response: { status: 200, description: "The invoice", schema: InvoiceOut },
      errors: [404, 409],
      handler: async ({ principal, params, query }) => service.get(principal, params.invoiceHash, query.supplier),
    }),
    defineRoute({
      method: "put",
      path: "/v1/invoices/{invoiceHash}/document",
      operationId: "uploadInvoiceDocument",
      summary: "Supplier: upload the invoice document; refused unless its keccak256 equals the invoice hash",
      tags: ["invoices"],
      access: { kind: "authenticated", roles: ["SUPPLIER"] },
      params: InvoiceParams,
      body: z.instanceof(Buffer),
      bodyType: "raw",
      response: {
        status: 200,
        description: "Stored",
        schema: z.object({ invoiceHash: z.string(), sizeBytes: z.number().int(), keccak256: z.string() }),
      },
      errors: [404, 413],
      handler: async ({ principal, params, body, req }) =>
        service.upload(principal, params.invoiceHash, body, req.get("content-type") ?? "application/octet-stream"),
    }),
    defineRoute({
      method: "get",
      path: "/v1/invoices/{invoiceHash}/document",
      operationId: "downloadInvoiceDocument",
      summary: "The uploaded invoice document (supplier, debtor, operator, auditors), always as an attachment of type application/octet-stream",
      tags: ["invoices"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      params: InvoiceParams,
      query: InvoiceSupplierQuery,
      response: { status: 200, description: "The document bytes", contentType: "application/octet-stream" },
      errors: [404, 409],
      handler: async ({ principal, params, query, res }) => {
        const { bytes } = await service.download(principal, params.invoiceHash, query.supplier);
        // Whatever type the uploader declared (kept in the invoice's `document.contentType`), the bytes
        // are served as an opaque download: a browser never renders or runs an uploaded document.
        res.setHeader("Content-Disposition", `attachment; filename="invoice-${params.invoiceHash.slice(2)}.bin"`);
        res.setHeader("X-Content-Type-Options", "nosniff");
        res.status(200).type("application/octet-stream").send(bytes);
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/invoices/{invoiceHash}/confirmation",
      operationId: "confirmationTypedData",
      summary: "Core enterprise: the EIP-712 typed data to sign for confirming with its own wallet",
      tags: ["invoices"],
      access: { kind: "authenticated", roles: ["CORE_ENTERPRISE"] },
      params: InvoiceParams,
      query: InvoiceSupplierQuery.extend({ deadline: z.coerce.number().int().positive().meta({ description: "unix seconds until which the signature is valid" }) }),
      response: { status: 200, description: "Typed data (eth_signTypedData_v4)", schema: ConfirmationTypedDataOut },
      errors: [404, 409],
      handler: async ({ principal, params, query }) => service.confirmationTypedData(principal, params.invoiceHash, BigInt(query.deadline), query.supplier),
    }),
    txRoute({
      path: "/v1/invoices/{invoiceHash}/confirm",
      operationId: "confirmInvoice",
      summary: "Core enterprise: confirm an invoice, minting its root receivable to the supplier (consumes its issuance limit)",
      description: "With no body fields the server signs the EIP-712 confirmation with the organisation's custodial key; with `signature` and `deadline` it relays the organisation's own signature.",
      tags: ["invoices"],
      roles: ["CORE_ENTERPRISE"],
      params: InvoiceParams,
      query: InvoiceSupplierQuery,
      body: ConfirmInvoiceBody,
      response: { status: 201, description: "Confirmed (transaction mined)", schema: ConfirmInvoiceOut },
      errors: [404, 409],
      handler: async ({ principal, params, query, body }) => service.confirm(principal, params.invoiceHash, { ...body, supplier: query.supplier }),
    }),
    txRoute({
      path: "/v1/invoices/{invoiceHash}/reject",
      operationId: "rejectInvoice",
      summary: "Core enterprise: reject an invoice with a reason",
      tags: ["invoices"],
      roles: ["CORE_ENTERPRISE"],
      params: InvoiceParams,
      query: InvoiceSupplierQuery,
      body: RejectInvoiceBody,
      response: { status: 200, description: "Rejected (transaction mined)", schema: TxOut },
      errors: [404, 409],
      handler: async ({ principal, params, query, body }) => service.reject(principal, params.invoiceHash, body.reason, query.supplier),
    }),
  ];
}
