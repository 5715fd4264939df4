import { z } from "zod";
import { Address, AddressOut, Bytes32, HexBytes, PositiveUint256 } from "../../api/schemas";
import { TxOut } from "../tx";
import { LedgerParametersOut } from "../receivables/schemas";

/** The ledger packs the minimum part amount into 96 bits (`LedgerLayout.Parameters`). */
export const MAX_MIN_PART_AMOUNT = (1n << 96n) - 1n;
export const MAX_OFFER_WINDOW = 2 ** 32 - 1;

export const LedgerStatusOut = z
  .object({
    paused: z.boolean().meta({ description: "the operator's emergency switch: while true, every state change of the ledger (and every payout of the repayment vault) is refused with `EnforcedPause`" }),
    parameters: LedgerParametersOut,
    admin: z
      .object({
        address: AddressOut.meta({ description: "the ledger's DEFAULT_ADMIN_ROLE, which changes currencies and parameters" }),
        kind: z.enum(["OPERATOR", "TIMELOCK", "OTHER"]).meta({
          description: "`OPERATOR`: the operator's own key (changes apply at once); `TIMELOCK`: a TimelockController the operator proposes to (changes wait `minDelaySeconds`); `OTHER`: neither, the API cannot change them",
        }),
        minDelaySeconds: z.number().int().nullable().meta({ description: "the timelock's delay; null unless `kind` is `TIMELOCK`" }),
      })
      .meta({ id: "LedgerAdmin" }),
    blockNumber: z.number().int().meta({ description: "the block this was read at" }),
  })
  .meta({ id: "LedgerStatus" });

export const CurrencyParams = z.object({ address: Address });

export const SetCurrencyBody = z
  .object({ allowed: z.boolean().meta({ description: "true: new invoices may be registered and confirmed in it; false: no new ones (existing receivables settle as before)" }) })
  .meta({ id: "SetCurrencyAllowed" });

export const SetLedgerParametersBody = z
  .object({
    minPartAmount: PositiveUint256.refine((v) => v <= MAX_MIN_PART_AMOUNT, "at most 2^96 − 1").meta({ description: "base units; no split may leave a part below it" }),
    maxDepth: z.number().int().min(1).max(255).meta({ description: "deepest split below a root, 1–255" }),
    defaultOfferWindow: z.number().int().min(1).max(MAX_OFFER_WINDOW).meta({ description: "seconds an offer stays open when no deadline is given" }),
  })
  .meta({ id: "SetLedgerParameters" });

/** A change of the admin's settings: applied, or waiting in the timelock. */
export const LedgerChangeOut = TxOut.extend({
  state: z.enum(["APPLIED", "SCHEDULED"]).meta({ description: "`SCHEDULED`: waiting in the timelock until `readyAt`, then `POST /v1/ledger/changes/execute`" }),
  operationId: z.string().nullable().meta({ description: "the timelock operation; null when the operator is the admin itself" }),
  readyAt: z.number().int().nullable().meta({ description: "unix seconds (chain time) from which a scheduled change can be executed" }),
  call: z
    .object({ target: AddressOut, data: z.string(), salt: z.string() })
    .nullable()
    .meta({ description: "what was scheduled in the timelock (give it to `POST /v1/ledger/changes/execute`); null when applied directly" }),
}).meta({ id: "LedgerChange" });

export const ExecuteChangeBody = z
  .object({ data: HexBytes, salt: Bytes32 })
  .meta({ id: "ExecuteLedgerChange" });
