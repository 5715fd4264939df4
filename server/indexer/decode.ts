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

// ─── a fast path for the static event layouts our contracts use ──────────────
// ethers' decoder builds Result objects and checksums every address (a keccak per address), which
// costs more than everything else in the indexer together. Events whose parameters are all
// elementary (uintN, intN, address, bool, bytesN, string, bytes) are decoded here instead, strictly:
// any malformed word (dirty high bits, out-of-range value, short data, wrong topic count) is an error.
type Elementary = { name: string; indexed: boolean; kind: "uint" | "int" | "address" | "bool" | "fixed" | "string" | "bytes"; bits: number };

function fastPlan(f: EventFragment): Elementary[] | undefined {
  const out: Elementary[] = [];
  for (const [i, p] of f.inputs.entries()) {
    const t = p.type;
    const name = p.name || `arg${i}`;
    let m: RegExpExecArray | null;
    if ((m = /^(u?)int(\d*)$/.exec(t))) out.push({ name, indexed: p.indexed === true, kind: m[1] ? "uint" : "int", bits: Number(m[2] || 256) });
    else if (t === "address") out.push({ name, indexed: p.indexed === true, kind: "address", bits: 160 });
    else if (t === "bool") out.push({ name, indexed: p.indexed === true, kind: "bool", bits: 8 });
    else if ((m = /^bytes(\d+)$/.exec(t))) out.push({ name, indexed: p.indexed === true, kind: "fixed", bits: Number(m[1]) * 8 });
    else if ((t === "string" || t === "bytes") && !p.indexed) out.push({ name, indexed: false, kind: t, bits: 0 });
    else return undefined;
  }
  return out;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const ZERO24 = "0".repeat(24);

function word(hex: string, i: number): string {
  const w = hex.slice(i * 64, i * 64 + 64);
  if (w.length !== 64) throw new Error(`data too short for word ${i}`);
  return w;
}

function decodeWord(p: Elementary, w: string): ArgValue {
  switch (p.kind) {
    case "uint": {
      const v = BigInt("0x" + w);
      if (p.bits < 256 && v >> BigInt(p.bits) !== 0n) throw new Error(`${p.name}: uint${p.bits} out of range`);
      return v;
    }
    case "int": {
      let v = BigInt("0x" + w);
      if (v >> 255n) v -= 1n << 256n;
      const lim = 1n << BigInt(p.bits - 1);
      if (v < -lim || v >= lim) throw new Error(`${p.name}: int${p.bits} out of range`);
      return v;
    }
    case "address":
      if (!w.startsWith(ZERO24)) throw new Error(`${p.name}: dirty address word`);
      return "0x" + w.slice(24).toLowerCase();
    case "bool":
      if (w === "0".repeat(64)) return false;
      if (w === "0".repeat(63) + "1") return true;
      throw new Error(`${p.name}: invalid bool`);
    case "fixed": {
      const n = p.bits / 4;
      if (!/^0*$/.test(w.slice(n))) throw new Error(`${p.name}: dirty bytes${p.bits / 8} word`);
      return "0x" + w.slice(0, n).toLowerCase();
    }
    default:
      throw new Error(`${p.name}: not a static type`);
  }
}

function decodeFast(plan: Elementary[], topics: string[], data: string): Record<string, ArgValue> {
  const indexedCount = plan.filter((p) => p.indexed).length;
  if (topics.length !== indexedCount + 1) throw new Error(`expected ${indexedCount + 1} topics, got ${topics.length}`);
  const hex = data.startsWith("0x") ? data.slice(2) : data;
  if (hex.length % 64 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error("data is not a whole number of words");
  const args: Record<string, ArgValue> = {};
  let t = 1;
  let head = 0;
  for (const p of plan) {
    if (p.indexed) {
      args[p.name] = decodeWord(p, topics[t++]!.slice(2));
      continue;
    }
    const w = word(hex, head++);
    if (p.kind === "string" || p.kind === "bytes") {
      const offset = Number(BigInt("0x" + w));
      if (offset % 32 !== 0 || offset / 32 >= hex.length / 64) throw new Error(`${p.name}: bad offset`);
      const len = Number(BigInt("0x" + word(hex, offset / 32)));
      const start = (offset + 32) * 2;
      const body = hex.slice(start, start + len * 2);
      if (body.length !== len * 2) throw new Error(`${p.name}: data too short`);
      args[p.name] = p.kind === "string" ? utf8.decode(Buffer.from(body, "hex")) : "0x" + body.toLowerCase();
    } else {
      args[p.name] = decodeWord(p, w);
    }
  }
  return args;
}

export interface Decoder {
  /** Lower-case addresses to ask the node about. */
  readonly addresses: string[];
  decode(log: RawLog): DecodedLog;
  /** Every event name each indexed contract can emit (for coverage checks). */
  events(): { contractName: string; eventName: string }[];
}

export function createDecoder(
  contracts: Record<string, string>,
  loadIface: (name: string) => Interface = loadInterface,
  { fast = true }: { fast?: boolean } = {},
): Decoder {
  const byAddress = new Map<string, { name: string; iface: Interface; byTopic: Map<string, EventFragment>; plans: Map<string, Elementary[] | undefined> }>();
  for (const [name, address] of Object.entries(contracts)) {
    const iface = loadIface(name);
    const byTopic = new Map<string, EventFragment>();
    const plans = new Map<string, Elementary[] | undefined>();
    iface.forEachEvent((f) => {
      byTopic.set(f.topicHash.toLowerCase(), f);
      plans.set(f.topicHash.toLowerCase(), f.anonymous || !fast ? undefined : fastPlan(f));
    });
    byAddress.set(toAddress(address), { name, iface, byTopic, plans });
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
      let args: Record<string, ArgValue>;
      try {
        const plan = c.plans.get(topic0!);
        if (plan) args = decodeFast(plan, log.topics, log.data);
        else {
          const result: Result = c.iface.decodeEventLog(fragment, log.data, log.topics);
          args = {};
          fragment.inputs.forEach((input, i) => {
            args[input.name || `arg${i}`] = normalise(result[i], input);
          });
        }
      } catch (e) {
        throw new UnknownLogError(`${where}: ${c.name}.${fragment.name} does not decode: ${(e as Error).message}`, e);
      }
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
