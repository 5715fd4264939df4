// What a mined transaction did, read from its receipt's logs with one contract's ABI. The server's
// services and the scripts take ids the contracts assign (root, child, offered, financed ids) from here.
import type { Interface, LogDescription } from "ethers";

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
