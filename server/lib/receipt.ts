// What a mined transaction did, read from its receipt's logs with one contract's ABI. The server's
// services and the scripts take ids the contracts assign (root, child, offered, financed ids) from here,
// through `requireEvent`: a mined transaction that did not emit the event it must have is an error, never
// an empty id.
import type { Interface, LogDescription } from "ethers";
import type { TypedContractEvent } from "../../typechain-types/common";

/** A log as a receipt holds it (ethers' Log, or a plain JSON-RPC one). */
export interface ReceiptLog {
  address?: string;
  topics: readonly string[];
  data: string;
}

/**
 * The first `eventName` event among `logs` that `iface` decodes, or undefined. Logs `iface` cannot decode
 * are skipped: other contracts' events, and those whose topic it shares but not its layout (an ERC-20
 * `Transfer` of the cash token against the ledger's ERC-721 `Transfer`, which indexes its third field).
 * With `emitter`, only that contract's logs count.
 */
export function findEvent(iface: Interface, logs: readonly ReceiptLog[], eventName: string, emitter?: string): LogDescription | undefined {
  for (const log of logs) {
    if (emitter !== undefined && log.address?.toLowerCase() !== emitter.toLowerCase()) continue;
    let parsed: LogDescription | null;
    try {
      parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
    } catch {
      continue;
    }
    if (parsed?.name === eventName) return parsed;
  }
  return undefined;
}

/** The named arguments of event `E` of a TypeChain contract `C`. */
export type EventArgs<C extends { filters: object }, E extends keyof C["filters"]> =
  C["filters"][E] extends TypedContractEvent<infer _I, infer _O, infer Args> ? Args : never;

/**
 * The arguments of the first `eventName` event `contract` emitted among `logs` (only `emitter`'s logs
 * when given), typed from the contract's ABI. Throws when the event is missing: the transaction was
 * mined, so a missing event means the receipt is not what the caller believes it is.
 */
export function requireEvent<C extends { interface: Interface; filters: object }, E extends keyof C["filters"] & string>(
  contract: C,
  logs: readonly ReceiptLog[],
  eventName: E,
  emitter?: string,
): EventArgs<C, E> {
  const event = findEvent(contract.interface, logs, eventName, emitter);
  if (event === undefined) throw new Error(`receipt: no ${eventName} event in the transaction's logs`);
  return event.args as unknown as EventArgs<C, E>;
}
