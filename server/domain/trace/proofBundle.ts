/**
 * The proof bundle of a receivable and its verification. A bundle carries the invoice terms, the core
 * enterprise's EIP-712 confirmation signature, and every event along the path from the root to the
 * receivable with its transaction hash, block number, block hash and log index. `verifyProofBundle`
 * checks it against any JSON-RPC node, with no access to our database: each event must be in its
 * block exactly as stated, the signature must recover to the debtor, the debtor must be a registered
 * core enterprise at confirmation time, and every split must link parent to child down the path.
 *
 * Pure: no database, no server state. Used by the API (to build) and `scripts/verifyProofBundle.ts`.
 */
import { Interface, type Provider, type Result, type ParamType } from "ethers";
import { IFinancingSettlement__factory, IReceivableToken__factory, IRepaymentVault__factory } from "../../../typechain-types";
import { recoverConfirmationSigner, type Invoice } from "../../lib/typedData";
import { canonicalJson } from "../../lib/canonicalJson";

/** 2: the invoice carries its invoiceNumberHash (issue 8 item 3), which the confirmation signs and names. */
export const PROOF_BUNDLE_FORMAT = "ledgerline-proof-bundle/2";

export interface ProofEvent {
  contract: string;
  contractName: string;
  eventName: string;
  /** Decoded arguments: uint as decimal strings, addresses and bytes lower-case hex. */
  args: Record<string, unknown>;
  txHash: string;
  blockNumber: number;
  blockHash: string;
  logIndex: number;
}

export interface ProofBundle {
  format: typeof PROOF_BUNDLE_FORMAT;
  chainId: string;
  ledger: string;
  receivableId: string;
  rootId: string;
  /** Receivable ids from the root down to `receivableId`. */
  path: string[];
  invoice: { invoiceHash: string; invoiceNumberHash: string; supplier: string; debtor: string; currency: string; amount: string; maturity: string };
  confirmation: {
    /** "signature": confirmInvoiceWithSignature; "transaction": the debtor sent confirmInvoice itself. */
    method: "signature" | "transaction";
    nonce: string;
    deadline: string | null;
    signature: string | null;
    txHash: string;
    blockNumber: number;
  };
  events: ProofEvent[];
}

export interface VerificationResult {
  ok: boolean;
  checked: string[];
  failures: string[];
}

const INTERFACES: Interface[] = [
  IReceivableToken__factory.createInterface(),
  IFinancingSettlement__factory.createInterface(),
  IRepaymentVault__factory.createInterface(),
];

function normalise(value: unknown, type: ParamType): unknown {
  if (type.baseType === "array" || type.baseType === "tuple") {
    const items = value as unknown[];
    const children = type.baseType === "array" ? items.map(() => type.arrayChildren as ParamType) : (type.components as readonly ParamType[]);
    return items.map((v, i) => normalise(v, children[i] as ParamType));
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return type.baseType === "string" ? value : value.toLowerCase();
  return value;
}

const SEQ_MASK = 0xffffffffn;

/** Verifies `bundle` against the chain behind `provider`. Never throws for a bad bundle: it reports why. */
export async function verifyProofBundle(bundle: ProofBundle, provider: Provider): Promise<VerificationResult> {
  const checked: string[] = [];
  const failures: string[] = [];
  const fail = (reason: string) => failures.push(reason);
  try {
    if (bundle.format !== PROOF_BUNDLE_FORMAT) fail(`unknown bundle format ${String(bundle.format)}`);
    const network = await provider.getNetwork();
    if (network.chainId.toString() !== bundle.chainId) fail(`bundle is for chain ${bundle.chainId}, the node serves chain ${network.chainId}`);
    else checked.push(`chain id ${bundle.chainId}`);

    // 1. Every event is in its block, exactly as the bundle states it.
    const blockHashes = new Map<number, string>();
    for (const ev of bundle.events) {
      const where = `${ev.eventName} (tx ${ev.txHash}, log ${ev.logIndex})`;
      const receipt = await provider.getTransactionReceipt(ev.txHash);
      if (receipt === null) {
        fail(`${where}: the transaction is not on this chain`);
        continue;
      }
      if (receipt.blockNumber !== ev.blockNumber || receipt.blockHash.toLowerCase() !== ev.blockHash.toLowerCase()) {
        fail(`${where}: the transaction is in block ${receipt.blockNumber} (${receipt.blockHash}), not ${ev.blockNumber} (${ev.blockHash})`);
        continue;
      }
      let canonicalHash = blockHashes.get(ev.blockNumber);
      if (canonicalHash === undefined) {
        canonicalHash = ((await provider.getBlock(ev.blockNumber))?.hash ?? "").toLowerCase();
        blockHashes.set(ev.blockNumber, canonicalHash);
      }
      if (canonicalHash !== ev.blockHash.toLowerCase()) {
        fail(`${where}: block ${ev.blockNumber} is not canonical on this chain`);
        continue;
      }
      const log = receipt.logs.find((l) => l.index === ev.logIndex);
      if (log === undefined || log.address.toLowerCase() !== ev.contract.toLowerCase()) {
        fail(`${where}: no log ${ev.logIndex} from ${ev.contract} in the transaction`);
        continue;
      }
      let parsed: { name: string; args: Result; fragment: { inputs: readonly ParamType[] } } | null = null;
      for (const iface of INTERFACES) {
        try {
          parsed = iface.parseLog(log);
        } catch {
          parsed = null;
        }
        if (parsed !== null) break;
      }
      if (parsed === null || parsed.name !== ev.eventName) {
        fail(`${where}: the log on chain is ${parsed?.name ?? "an unknown event"}, not ${ev.eventName}`);
        continue;
      }
      const onChain: Record<string, unknown> = {};
      parsed.fragment.inputs.forEach((input, i) => {
        onChain[input.name === "" ? `arg${i}` : input.name] = normalise(parsed.args[i], input);
      });
      if (canonicalJson(onChain) !== canonicalJson(ev.args)) {
        fail(`${where}: the arguments differ from the log on chain (chain says ${canonicalJson(onChain)})`);
        continue;
      }
      checked.push(`${where} is in block ${ev.blockNumber}`);
    }

    // 2. The path: root first, the receivable last, ids of one tree, each link a split.
    const path = bundle.path;
    if (path.length === 0 || path[path.length - 1] !== bundle.receivableId || path[0] !== bundle.rootId) {
      fail("the path does not run from the root to the receivable");
    }
    for (const id of path) {
      if ((BigInt(id) & ~SEQ_MASK) !== BigInt(bundle.rootId)) fail(`receivable ${id} does not belong to root ${bundle.rootId}`);
    }
    const byName = (name: string) => bundle.events.filter((e) => e.eventName === name && e.contract.toLowerCase() === bundle.ledger.toLowerCase());
    for (let i = 0; i + 1 < path.length; i++) {
      const link = byName("ReceivableSplit").find((e) => e.args.parentId === path[i] && e.args.childId === path[i + 1]);
      if (link === undefined) fail(`no ReceivableSplit links ${path[i]} to ${path[i + 1]}`);
      else checked.push(`split ${path[i]} → ${path[i + 1]} in tx ${link.txHash}`);
    }

    // 3. The confirmation: its event names these terms, and the debtor (a core enterprise) signed them.
    const confirmed = byName("InvoiceConfirmed").find((e) => e.args.rootId === bundle.rootId);
    const inv = bundle.invoice;
    if (confirmed === undefined) {
      fail(`no InvoiceConfirmed event for root ${bundle.rootId}`);
    } else {
      const a = confirmed.args;
      const same =
        a.invoiceHash === inv.invoiceHash.toLowerCase() &&
        a.invoiceNumberHash === inv.invoiceNumberHash.toLowerCase() &&
        a.debtor === inv.debtor.toLowerCase() &&
        a.supplier === inv.supplier.toLowerCase() &&
        a.currency === inv.currency.toLowerCase() &&
        a.amount === inv.amount &&
        a.maturity === inv.maturity &&
        a.nonce === bundle.confirmation.nonce &&
        confirmed.txHash === bundle.confirmation.txHash;
      if (!same) fail("the InvoiceConfirmed event does not match the bundle's invoice terms or confirmation");
      else checked.push(`invoice ${inv.invoiceHash} confirmed as root ${bundle.rootId}`);
    }
    const terms: Invoice = {
      invoiceHash: inv.invoiceHash,
      invoiceNumberHash: inv.invoiceNumberHash,
      supplier: inv.supplier,
      debtor: inv.debtor,
      currency: inv.currency,
      amount: BigInt(inv.amount),
      maturity: BigInt(inv.maturity),
    };
    const tx = await provider.getTransaction(bundle.confirmation.txHash);
    const ledgerIface = INTERFACES[0] as Interface;
    if (tx === null || (tx.to ?? "").toLowerCase() !== bundle.ledger.toLowerCase()) {
      fail("the confirmation transaction is not a call to the ledger on this chain");
    } else if (bundle.confirmation.method === "signature") {
      const { signature, deadline } = bundle.confirmation;
      if (signature === null || deadline === null) {
        fail("a signature confirmation without signature or deadline");
      } else {
        let signer = "";
        try {
          signer = recoverConfirmationSigner(BigInt(bundle.chainId), bundle.ledger, terms, BigInt(bundle.confirmation.nonce), BigInt(deadline), signature);
        } catch {
          signer = "";
        }
        if (signer !== inv.debtor.toLowerCase()) fail(`the confirmation signature recovers to ${signer || "nobody"}, not the debtor ${inv.debtor}`);
        else checked.push(`the confirmation signature recovers to the debtor ${inv.debtor}`);
        const call = ledgerIface.parseTransaction({ data: tx.data });
        if (call?.name !== "confirmInvoiceWithSignature" || String(call.args[3]).toLowerCase() !== signature.toLowerCase()) {
          fail("the confirmation transaction did not submit this signature");
        }
      }
    } else if (tx.from.toLowerCase() !== inv.debtor.toLowerCase()) {
      fail(`the confirmation transaction was sent by ${tx.from}, not the debtor`);
    } else {
      checked.push("the debtor sent the confirmation transaction itself");
    }
    const ledger = IReceivableToken__factory.connect(bundle.ledger, provider);
    const blockTag = bundle.confirmation.blockNumber;
    try {
      const organisation = await ledger.organisationOf(inv.debtor, { blockTag });
      if (Number(organisation.role) !== 1) fail(`the debtor ${inv.debtor} was not a registered core enterprise at block ${blockTag}`);
      else checked.push(`the debtor was a registered core enterprise at block ${blockTag}`);
    } catch (err) {
      fail(`cannot read the debtor's registration at block ${blockTag}: ${(err as Error).message.split("\n")[0] ?? ""}`);
    }
  } catch (err) {
    fail(`verification could not complete: ${(err as Error).message.split("\n")[0] ?? ""}`);
  }
  return { ok: failures.length === 0, checked, failures };
}
