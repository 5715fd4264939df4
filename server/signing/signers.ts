/**
 * Sends each organisation's transactions with its own key, one at a time per key, and answers once the
 * transaction is mined. A contract revert is decoded from the ABIs into an AppError named after the
 * custom error. Organisations that keep their own key have no signer here: their confirmations and
 * quotes arrive as EIP-712 signatures that a relayer key submits.
 *
 * Sends are serialised per key inside this process so nonces never collide; with several API replicas,
 * give each organisation's custodial key to one replica only.
 */
import type { ContractTransactionResponse, Interface, Provider, Signer, TransactionReceipt } from "ethers";
import { AppError, ChainUnavailableError, decodeContractError, ForbiddenError } from "../lib/appErrors";

export interface SentTransaction {
  txHash: string;
  blockNumber: number;
  receipt: TransactionReceipt;
}

export interface SignerRegistry {
  /** The organisation's own signer when the server holds its key. */
  signerOf(organisation: string): Signer | undefined;
  /** The platform operator's signer (OPERATOR_ROLE), when configured. */
  operator(): Signer | undefined;
  /** Who submits relayed EIP-712 signatures (pays gas only; gains no right from it). */
  relayer(): Signer | undefined;
  /** Sends a transaction as `who` and waits until it is mined. */
  send(who: string | "operator" | "relayer", call: (signer: Signer) => Promise<ContractTransactionResponse>): Promise<SentTransaction>;
  /** Every organisation address the server holds a key for. */
  custodial(): string[];
}

export function createSignerRegistry(input: {
  provider: Provider;
  /** Lower-case address → signer (already connected, or connectable, to `provider`). */
  organisations: ReadonlyMap<string, Signer>;
  operator?: Signer;
  relayer?: Signer;
  /** ABIs used to decode reverts. */
  interfaces: readonly Interface[];
}): SignerRegistry {
  const queues = new Map<string, Promise<unknown>>();
  const connect = (signer: Signer): Signer => (signer.provider === null ? signer.connect(input.provider) : signer);

  function resolve(who: string): Signer | undefined {
    if (who === "operator") return input.operator;
    if (who === "relayer") return input.relayer ?? input.operator;
    return input.organisations.get(who.toLowerCase());
  }

  return {
    signerOf: (organisation) => {
      const s = input.organisations.get(organisation.toLowerCase());
      return s === undefined ? undefined : connect(s);
    },
    operator: () => (input.operator === undefined ? undefined : connect(input.operator)),
    relayer: () => {
      const s = input.relayer ?? input.operator;
      return s === undefined ? undefined : connect(s);
    },
    custodial: () => [...input.organisations.keys()],
    async send(who, call) {
      const raw = resolve(who);
      if (raw === undefined) {
        throw new ForbiddenError(
          "NoCustodialKey",
          who === "operator" || who === "relayer"
            ? `the server has no ${who} key configured`
            : "the server does not hold this organisation's key; submit an EIP-712 signature or send the transaction yourself",
        );
      }
      const signer = connect(raw);
      const key = who.toLowerCase();
      const previous = queues.get(key) ?? Promise.resolve();
      const run = previous.then(
        () => sendOne(signer, call),
        () => sendOne(signer, call),
      );
      queues.set(
        key,
        run.catch(() => undefined),
      );
      return run;
    },
  };

  async function sendOne(signer: Signer, call: (signer: Signer) => Promise<ContractTransactionResponse>): Promise<SentTransaction> {
    try {
      const tx = await call(signer);
      const receipt = await tx.wait();
      if (receipt === null) throw new ChainUnavailableError("the transaction was not mined");
      return { txHash: receipt.hash, blockNumber: receipt.blockNumber, receipt };
    } catch (err) {
      if (err instanceof AppError) throw err;
      const decoded = decodeContractError(err, input.interfaces);
      if (decoded !== undefined) throw decoded;
      throw new ChainUnavailableError("the chain did not accept the transaction", err);
    }
  }
}
