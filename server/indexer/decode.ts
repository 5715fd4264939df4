// Raw logs → decoded events, with the ABIs of the compiled artifacts. A log from an address we do not
// index, with a topic its contract's ABI does not know, or whose data does not decode is a fatal
// UnknownLogError: the indexer stops rather than guess.
import { Interface, type EventFragment, type ParamType, type Result } from "ethers";
import { loadInterface } from "../lib/abi";
import { toAddress } from "../lib/encode";
import { UnknownLogError } from "../lib/errors";
import type { RawLog } from "../lib/rpc";

/** Decoded argument: uint/int → bigint, address → lower-case, bytes/bytesN → lower-case hex, bool, string. */
export type ArgValue = bigint | string | boolean | ArgValue[];

export interface DecodedLog {
  contractName: string;
  contract: string;
  eventName: string;
  args: Record<string, ArgValue>;
  blockNumber: number;
  blockHash: string;
  logIndex: number;
  txHash: string;
  txIndex: number;
}

function normalise(value: unknown, type: ParamType): ArgValue {
  if (type.baseType === "array" || type.baseType === "tuple") {
    const children = type.baseType === "array" ? (value as unknown[]).map(() => type.arrayChildren!) : type.components!;
    return (value as unknown[]).map((v, i) => normalise(v, children[i]!));
  }
  if (type.baseType === "address") return toAddress(value as string);
  if (typeof value === "bigint" || typeof value === "boolean") return value;
  if (typeof value === "string") return type.baseType.startsWith("bytes") ? value.toLowerCase() : value;
  throw new Error(`cannot normalise ${type.format()} value ${String(value)}`);
}

export interface Decoder {
  /** Lower-case addresses to ask the node about. */
  readonly addresses: string[];
  decode(log: RawLog): DecodedLog;
  /** Every event name each indexed contract can emit (for coverage checks). */
  events(): { contractName: string; eventName: string }[];
}

export function createDecoder(contracts: Record<string, string>, loadIface: (name: string) => Interface = loadInterface): Decoder {
  const byAddress = new Map<string, { name: string; iface: Interface; byTopic: Map<string, EventFragment> }>();
  for (const [name, address] of Object.entries(contracts)) {
    const iface = loadIface(name);
    const byTopic = new Map<string, EventFragment>();
    iface.forEachEvent((f) => byTopic.set(f.topicHash.toLowerCase(), f));
    byAddress.set(toAddress(address), { name, iface, byTopic });
  }
  return {
    addresses: [...byAddress.keys()],
    events() {
      const out: { contractName: string; eventName: string }[] = [];
      for (const c of byAddress.values()) for (const f of c.byTopic.values()) out.push({ contractName: c.name, eventName: f.name });
      return out;
    },
    decode(log) {
      const where = `log ${log.logIndex} of tx ${log.transactionHash} in block ${Number(log.blockNumber)}`;
      const c = byAddress.get(log.address.toLowerCase());
      if (!c) throw new UnknownLogError(`${where} comes from ${log.address}, which is not an indexed contract`);
      const topic0 = log.topics[0]?.toLowerCase();
      const fragment = topic0 ? c.byTopic.get(topic0) : undefined;
      if (!fragment) throw new UnknownLogError(`${where} from ${c.name} has topic ${topic0 ?? "(none)"}, which its ABI does not declare`);
      let result: Result;
      try {
        result = c.iface.decodeEventLog(fragment, log.data, log.topics);
      } catch (e) {
        throw new UnknownLogError(`${where}: ${c.name}.${fragment.name} does not decode: ${(e as Error).message}`, e);
      }
      const args: Record<string, ArgValue> = {};
      fragment.inputs.forEach((input, i) => {
        args[input.name || `arg${i}`] = normalise(result[i], input);
      });
      return {
        contractName: c.name,
        contract: log.address.toLowerCase(),
        eventName: fragment.name,
        args,
        blockNumber: Number(log.blockNumber),
        blockHash: log.blockHash.toLowerCase(),
        logIndex: Number(log.logIndex),
        txHash: log.transactionHash.toLowerCase(),
        txIndex: Number(log.transactionIndex),
      };
    },
  };
}
