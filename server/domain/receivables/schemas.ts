import { z } from "zod";
import { Address, AddressOut, PageQuery, PositiveUint256, TxHash, Uint256Out, page } from "../../api/schemas";
import { TxOut } from "../tx";

export const ReceivableStatus = z.enum(["ACTIVE", "OFFERED", "PLEDGED", "FROZEN", "OVERDUE", "MATURED", "REDEEMED"]);

export const ReceivableOut = z
  .object({
    id: Uint256Out,
    rootId: Uint256Out,
    parentId: Uint256Out.nullable(),
    depth: z.number().int(),
    tier: z.number().int().meta({ description: "1 for the supplier the invoice was confirmed to, +1 for each accepted transfer down the chain" }),
    holder: AddressOut,
    amount: Uint256Out,
    initialAmount: Uint256Out,
    status: ReceivableStatus,
    financed: z.boolean(),
    frozen: z.boolean(),
    overdue: z.boolean().meta({ description: "its tree was marked overdue and is not paid in full yet" }),
    cured: z.boolean().meta({ description: "its tree was marked overdue and later paid in full (late, but paid)" }),
    offeredTo: AddressOut.nullable(),
    offerDeadline: z.number().int().nullable(),
    pledgee: AddressOut.nullable(),
    issuer: AddressOut.meta({ description: "the core enterprise that owes it" }),
    currency: AddressOut,
    maturity: z.number().int().meta({ description: "unix seconds" }),
    createdTxHash: TxHash,
  })
  .meta({ id: "Receivable" });

export const ReceivablePage = page(ReceivableOut).meta({ id: "ReceivablePage" });

export const ListReceivablesQuery = PageQuery.extend({
  status: ReceivableStatus.optional(),
  issuer: Address.optional(),
  maturityBefore: z.coerce.number().int().optional(),
});

export const LedgerParametersOut = z
  .object({
    minPartAmount: Uint256Out.meta({ description: "no split may leave a part (or remainder) below this, in base units" }),
    maxDepth: z.number().int().meta({ description: "deepest split allowed below a root" }),
    defaultOfferWindow: z.number().int().meta({ description: "seconds an offer stays open when no deadline is given" }),
  })
  .meta({ id: "LedgerParameters" });

export const SplitBody = z.object({ amount: PositiveUint256 }).meta({ id: "Split" });
export const SplitOut = TxOut.extend({ childId: Uint256Out }).meta({ id: "SplitResult" });

export const TransferBody = z
  .object({
    to: Address,
    amount: PositiveUint256.meta({ description: "all of the receivable moves the token; less splits a part off and offers it" }),
    deadline: z.number().int().positive().optional().meta({ description: "unix seconds until which the receiver may accept; default: the ledger's offer window" }),
  })
  .meta({ id: "Transfer" });
export const TransferOut = TxOut.extend({ offeredId: Uint256Out }).meta({ id: "TransferResult" });
