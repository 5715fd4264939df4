/**
 * The operator's administration of the ledger itself: the emergency pause (OPERATOR_ROLE), and the
 * settings the ledger's admin (DEFAULT_ADMIN_ROLE) holds — allowed settlement currencies and the ledger
 * parameters. The admin is the operator's own key (the test worlds), or a TimelockController the operator
 * proposes to and executes through (`scripts/deploySystem.ts`): a change then waits the timelock's delay,
 * applied in the same request when that delay is zero. The chain decides who may do what; every change is
 * written to the audit log with the credential that asked for it. Reads are taken from the chain at the head.
 */
import { ZeroHash, id as keccakText, type Signer } from "ethers";
import type { Principal } from "../../auth/principal";
import { ConflictError, NotFoundError, ValidationError } from "../../lib/appErrors";
import { IERC20Metadata__factory, LedgerTimelock__factory, ReceivableToken__factory } from "../../../typechain-types";
import type { DomainContext } from "../context";
import { audit, settle, type TxResult } from "../tx";

/** OpenZeppelin TimelockController's `OperationState`. */
const OPERATION_STATE = ["UNSET", "WAITING", "READY", "DONE"] as const;

export interface LedgerChange extends TxResult {
  state: "APPLIED" | "SCHEDULED";
  operationId: string | null;
  readyAt: number | null;
  call: { target: string; data: string; salt: string } | null;
}

export interface LedgerParametersInput {
  minPartAmount: bigint;
  maxDepth: number;
  defaultOfferWindow: number;
}

export function createLedgerAdminService(ctx: DomainContext) {
  // The full ledger ABI (`paused`, `defaultAdmin`), connected when a request needs it.
  const ledgerContract = () => ReceivableToken__factory.connect(ctx.chain.addresses.ledger, ctx.chain.provider);

  async function operatorAddress(): Promise<string | undefined> {
    const signer = ctx.chain.signers.operator();
    return signer === undefined ? undefined : (await signer.getAddress()).toLowerCase();
  }

  /** Who holds DEFAULT_ADMIN_ROLE, and how the operator reaches it. */
  async function admin(blockTag: number) {
    const address = (await ledgerContract().defaultAdmin({ blockTag })).toLowerCase();
    if (address === (await operatorAddress())) return { address, kind: "OPERATOR" as const, minDelaySeconds: null };
    try {
      const delay = await LedgerTimelock__factory.connect(address, ctx.chain.provider).getMinDelay({ blockTag });
      return { address, kind: "TIMELOCK" as const, minDelaySeconds: Number(delay) };
    } catch {
      // Not a timelock (no code, or another contract): the API cannot act as the admin.
      return { address, kind: "OTHER" as const, minDelaySeconds: null };
    }
  }

  async function parameters(blockTag: number) {
    const [minPartAmount, maxDepth, defaultOfferWindow] = await ledgerContract().ledgerParameters({ blockTag });
    return { minPartAmount: minPartAmount.toString(), maxDepth: Number(maxDepth), defaultOfferWindow: Number(defaultOfferWindow) };
  }

  /**
   * Sends an admin call: directly when the operator is the admin, otherwise scheduled in the timelock
   * (salt derived from the request's Idempotency-Key, so a retry finds the operation it scheduled) and
   * executed at once when the delay is zero.
   */
  async function asAdmin(data: string, idempotencyKey: string | undefined): Promise<LedgerChange> {
    const head = await ctx.chain.provider.getBlockNumber();
    const who = await admin(head);
    const target = ctx.chain.addresses.ledger;
    if (who.kind === "OPERATOR") {
      const sent = await ctx.chain.signers.send("operator", (s) => s.sendTransaction({ to: target, data }));
      return { ...(await settle(ctx, sent)), state: "APPLIED", operationId: null, readyAt: null, call: null };
    }
    if (who.kind === "OTHER") {
      throw new ConflictError("LedgerAdminNotReachable", "the ledger's admin is neither the operator's key nor a timelock the operator proposes to", { admin: who.address });
    }
    const timelock = LedgerTimelock__factory.connect(who.address, ctx.chain.provider);
    const salt = keccakText(`ledgerline:ledger-change:${idempotencyKey ?? `${Date.now()}`}`);
    const operationId = await timelock.hashOperation(target, 0n, data, ZeroHash, salt);
    const call = { target, data, salt };
    if (OPERATION_STATE[Number(await timelock.getOperationState(operationId))] === "UNSET") {
      const scheduled = await ctx.chain.signers.send("operator", (s) =>
        timelock.connect(s).schedule(target, 0n, data, ZeroHash, salt, BigInt(who.minDelaySeconds ?? 0)),
      );
      if (who.minDelaySeconds !== 0) {
        const readyAt = Number(await timelock.getTimestamp(operationId, { blockTag: scheduled.blockNumber }));
        return { ...(await settle(ctx, scheduled)), state: "SCHEDULED", operationId, readyAt, call };
      }
    }
    return execute(timelock, operationId, call);
  }

  async function execute(timelock: ReturnType<typeof LedgerTimelock__factory.connect>, operationId: string, call: { target: string; data: string; salt: string }): Promise<LedgerChange> {
    const state = OPERATION_STATE[Number(await timelock.getOperationState(operationId))];
    const readyAt = Number(await timelock.getTimestamp(operationId));
    if (state === "UNSET") throw new NotFoundError("ledger change", operationId);
    if (state === "WAITING") throw new ConflictError("LedgerChangeNotReady", "the change waits in the timelock until readyAt", { operationId, readyAt });
    if (state === "DONE") throw new ConflictError("LedgerChangeAlreadyExecuted", "the change was executed already", { operationId });
    const sent = await ctx.chain.signers.send("operator", (s: Signer) => timelock.connect(s).execute(call.target, 0n, call.data, ZeroHash, call.salt));
    return { ...(await settle(ctx, sent)), state: "APPLIED", operationId, readyAt, call };
  }

  const unchanged = (what: string, current: unknown) => new ConflictError("LedgerSettingUnchanged", `${what} is already so: nothing to change`, { current });

  return {
    /** The pause flag, the parameters and who administers them, read at the head. */
    async status() {
      const blockNumber = await ctx.chain.provider.getBlockNumber();
      const [paused, params, who] = await Promise.all([ledgerContract().paused({ blockTag: blockNumber }), parameters(blockNumber), admin(blockNumber)]);
      return { paused, parameters: params, admin: who, blockNumber };
    },

    /** Operator only (OPERATOR_ROLE on chain): halts, or resumes, every state change. A second pause is the ledger's `EnforcedPause`. */
    async setPaused(principal: Principal, paused: boolean): Promise<TxResult> {
      const sent = await ctx.chain.signers.send("operator", (s) => (paused ? ledgerContract().connect(s).pause() : ledgerContract().connect(s).unpause()));
      await audit(ctx, { actor: principal.credentialId, action: paused ? "ledger.pause" : "ledger.unpause", target: ctx.chain.addresses.ledger, txHash: sent.txHash });
      return settle(ctx, sent);
    },

    /** Allows (or stops allowing) `currency` for new invoices. Only an ERC-20 with metadata can be allowed: every amount is shown by its decimals. */
    async setCurrencyAllowed(principal: Principal, currency: string, allowed: boolean, idempotencyKey: string | undefined): Promise<LedgerChange> {
      if (allowed) {
        try {
          const token = IERC20Metadata__factory.connect(currency, ctx.chain.provider);
          await Promise.all([token.symbol(), token.name(), token.decimals()]);
        } catch {
          throw new ValidationError("not a settlement token", [{ field: "params.address", message: "not an ERC-20 token with symbol, name and decimals", code: "custom" }]);
        }
      }
      if ((await ledgerContract().isCurrencyAllowed(currency)) === allowed) throw unchanged("the currency's allowance", { allowed });
      const change = await asAdmin(ledgerContract().interface.encodeFunctionData("setCurrencyAllowed", [currency, allowed]), idempotencyKey);
      await audit(ctx, {
        actor: principal.credentialId,
        action: allowed ? "currency.allow" : "currency.disallow",
        target: currency,
        txHash: change.txHash,
        detail: { state: change.state, operationId: change.operationId },
      });
      return change;
    },

    /** Sets all three ledger parameters at once (the ledger's setter takes the three). */
    async setParameters(principal: Principal, input: LedgerParametersInput, idempotencyKey: string | undefined): Promise<LedgerChange> {
      const current = await parameters(await ctx.chain.provider.getBlockNumber());
      if (current.minPartAmount === input.minPartAmount.toString() && current.maxDepth === input.maxDepth && current.defaultOfferWindow === input.defaultOfferWindow) {
        throw unchanged("the ledger parameters", current);
      }
      const data = ledgerContract().interface.encodeFunctionData("setLedgerParameters", [input.minPartAmount, input.maxDepth, input.defaultOfferWindow]);
      const change = await asAdmin(data, idempotencyKey);
      await audit(ctx, {
        actor: principal.credentialId,
        action: "ledgerParameters.set",
        target: ctx.chain.addresses.ledger,
        txHash: change.txHash,
        detail: { ...input, previous: current, state: change.state, operationId: change.operationId },
      });
      return change;
    },

    /** Executes a change the timelock holds once its delay has passed. Only the ledger's admin setters. */
    async executeChange(principal: Principal, input: { data: string; salt: string }): Promise<LedgerChange> {
      let name: string;
      try {
        name = ledgerContract().interface.parseTransaction({ data: input.data })?.name ?? "";
      } catch {
        name = "";
      }
      if (name !== "setCurrencyAllowed" && name !== "setLedgerParameters") {
        throw new ValidationError("not a ledger change", [{ field: "body.data", message: "a call of setCurrencyAllowed or setLedgerParameters", code: "custom" }]);
      }
      const who = await admin(await ctx.chain.provider.getBlockNumber());
      if (who.kind !== "TIMELOCK") throw new NotFoundError("ledger change");
      const timelock = LedgerTimelock__factory.connect(who.address, ctx.chain.provider);
      const call = { target: ctx.chain.addresses.ledger, data: input.data.toLowerCase(), salt: input.salt };
      const operationId = await timelock.hashOperation(call.target, 0n, call.data, ZeroHash, call.salt);
      const change = await execute(timelock, operationId, call);
      await audit(ctx, { actor: principal.credentialId, action: "ledgerChange.execute", target: operationId, txHash: change.txHash, detail: { call: name } });
      return change;
    },
  };
}

export type LedgerAdminService = ReturnType<typeof createLedgerAdminService>;
