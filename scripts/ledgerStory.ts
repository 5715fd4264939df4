// The ledger's demo story and the helpers it is made of: build an invoice, have the core enterprise sign
// its EIP-712 confirmation, submit it, split the receivable down to tier 3 through offers and acceptances,
// then read each organisation's holdings and the lineage tree back from the chain and render them.
// Plain functions over signers and contracts (used by `npm start`, the tests and the benchmark); never
// imports `hardhat`.
import { id, type Signer, type TypedDataDomain } from "ethers";
import { requireEvent, type ReceiptLog } from "../server/lib/receipt";
import { CONFIRMATION_TYPES, confirmationMessage, confirmationNonceOf, eip712DomainOf, invoiceNumberHashOf, type Invoice } from "../server/lib/typedData";

export { confirmationNonceOf, invoiceNumberHashOf };
import type { ReceivableToken } from "../typechain-types";
import type { DemoAccounts, DemoWorld } from "./seed";

export type { Invoice };

export interface SignConfirmationOptions {
  ledger: ReceivableToken;
  /** The core enterprise (the invoice's debtor). */
  signer: Signer;
  invoice: Invoice;
  deadline: bigint;
  /** The debtor's (unordered) nonce to sign; `confirmationNonceOf(invoice)` when omitted. */
  nonce?: bigint;
  /** Overrides the domain (tests use it to sign for a wrong chain or contract). */
  domain?: TypedDataDomain;
}

export async function signConfirmation({ ledger, signer, invoice, deadline, nonce, domain }: SignConfirmationOptions) {
  const usedNonce = nonce ?? confirmationNonceOf(invoice);
  return signer.signTypedData(domain ?? (await eip712DomainOf(ledger)), CONFIRMATION_TYPES, confirmationMessage(invoice, usedNonce, deadline));
}

/** keccak256 of a (demo) invoice document. */
export function invoiceHashOf(document: string): string {
  return id(document);
}

/** The root id the `InvoiceConfirmed` event of a confirmation receipt carries. */
export function rootIdFromReceipt(ledger: ReceivableToken, logs: readonly ReceiptLog[]): bigint {
  return requireEvent(ledger, logs, "InvoiceConfirmed").rootId;
}

/** The id an offer created (the `TransferOffered` event; a child id for a part, the same id for the whole). */
export function offeredIdFromReceipt(ledger: ReceivableToken, logs: readonly ReceiptLog[]): bigint {
  return requireEvent(ledger, logs, "TransferOffered").id;
}

// ─── lineage tree ────────────────────────────────────────────────────────────

export interface LineageNode {
  id: bigint;
  parentId: bigint;
  holder: string;
  amount: bigint;
  depth: number;
  flags: number;
  children: LineageNode[];
}

/** The sequence part of an id (0 for a root). */
export const seqOf = (id: bigint): bigint => id & 0xffffffffn;
/** The root id of any id of its tree. */
export const rootIdOf = (id: bigint): bigint => id & ~0xffffffffn;
/** `3.2` for the second child of the third root: how the story prints ids. */
export const shortId = (id: bigint): string => `${id >> 32n}.${seqOf(id)}`;

/**
 * Reads a whole live tree from chain state. The ledger keeps no enumeration, but a tree's ids are
 * dense (rootId | 1..childCount), so one view call per member finds them; burnt members are skipped
 * (their children then hang under the nearest live ancestor). The indexer serves this at scale.
 */
export async function readLineageTree(ledger: ReceivableToken, rootId: bigint): Promise<LineageNode> {
  const childCount = await ledger.childCountOf(rootId);
  const nodes = new Map<bigint, LineageNode>();
  for (let seq = 0n; seq <= childCount; seq++) {
    const tokenId = rootId | seq;
    let r: Awaited<ReturnType<ReceivableToken["receivableOf"]>>;
    try {
      r = await ledger.receivableOf(tokenId);
    } catch (error) {
      if (isNonexistent(ledger, error)) continue; // burnt at redemption
      throw error;
    }
    nodes.set(tokenId, {
      id: tokenId,
      parentId: r.parentId,
      holder: r.holder,
      amount: r.amount,
      depth: Number(r.depth),
      flags: Number(r.flags),
      children: [],
    });
  }
  const root = nodes.get(rootId);
  if (!root) throw new Error(`readLineageTree: root ${rootId} is not live`);
  for (const node of nodes.values()) {
    if (node.id === rootId) continue;
    // A burnt parent's own parent link is gone with it, so its live children hang under the root here;
    // the indexer keeps the full history.
    (nodes.get(node.parentId) ?? root).children.push(node);
  }
  return root;
}

/** Whether `error` is the ledger's ReceivableNonexistent revert (and not, say, a lost connection). */
function isNonexistent(ledger: ReceivableToken, error: unknown): boolean {
  const data = (error as { data?: unknown }).data;
  if (typeof data !== "string") return false;
  return ledger.interface.parseError(data)?.name === "ReceivableNonexistent";
}

export interface RenderOptions {
  names?: Map<string, string>;
  formatAmount?: (amount: bigint) => string;
  escrow?: string;
}

const FLAG_NAMES: [number, string][] = [
  [1, "offered"],
  [2, "pledged"],
  [4, "financed"],
];

/** Renders a tree as ASCII, one line per receivable. */
export function renderLineageTree(root: LineageNode, { names, formatAmount = groupDigits }: RenderOptions = {}): string {
  const label = (node: LineageNode) => {
    const who = names?.get(node.holder.toLowerCase()) ?? node.holder;
    const flags = FLAG_NAMES.filter(([bit]) => node.flags & bit).map(([, name]) => name);
    const state = flags.length ? ` [${flags.join(", ")}]` : "";
    return `#${shortId(node.id)}  ${formatAmount(node.amount)}  held by ${who}${state}`;
  };
  const lines = [`${label(root)}  (root)`];
  const walk = (node: LineageNode, prefix: string) => {
    node.children.forEach((child, index) => {
      const last = index === node.children.length - 1;
      lines.push(`${prefix}${last ? "└── " : "├── "}${label(child)}`);
      walk(child, prefix + (last ? "    " : "│   "));
    });
  };
  walk(root, "");
  return lines.join("\n");
}

/** 1234567 -> "1,234,567": integers only, money is never a float. */
export function groupDigits(amount: bigint): string {
  return amount.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A formatter for `decimals` places: 1234567 with 2 decimals -> "12,345.67". */
export function fixedPoint(decimals: number): (amount: bigint) => string {
  if (decimals === 0) return groupDigits;
  const unit = 10n ** BigInt(decimals);
  return (amount) => `${groupDigits(amount / unit)}.${(amount % unit).toString().padStart(decimals, "0")}`;
}

// ─── the story ───────────────────────────────────────────────────────────────

export interface Holding {
  organisation: string;
  name: string;
  /** ERC-721 balanceOf: how many receivables it holds. */
  count: bigint;
  receivables: { id: bigint; amount: bigint }[];
  total: bigint;
}

export interface LedgerStory {
  invoice: Invoice;
  rootId: bigint;
  /** Tier-1's part kept, the part tier 2 accepted, the part tier 3 accepted. */
  tier2Id: bigint;
  tier3Id: bigint;
  holdings: Holding[];
  tree: LineageNode;
  treeText: string;
  holdingsText: string;
}

export interface PlayLedgerStoryOptions {
  ledger: ReceivableToken;
  accounts: DemoAccounts;
  world: DemoWorld;
  /** Face amount of the invoice (base units). Defaults to 1,000,000.00 with the demo token's 2 decimals. */
  amount?: bigint;
  /** How much tier 1 passes to tier 2, and tier 2 to tier 3. Default: 60% and 25% of the face. */
  toTier2?: bigint;
  toTier3?: bigint;
  /** Seconds from now to maturity. Default 90 days. */
  tenor?: bigint;
  /** Formats amounts for printing. Default: 2 decimals. */
  formatAmount?: (amount: bigint) => string;
  /** Where the story narrates; silent when omitted. */
  log?: (line: string) => void;
  /** A distinct document per run, so a story can play twice on one chain. */
  documentId?: string;
}

export async function playLedgerStory({
  ledger,
  accounts,
  world,
  amount = 1_000_000n * 100n,
  toTier2,
  toTier3,
  tenor = 90n * 24n * 60n * 60n,
  formatAmount = fixedPoint(2),
  log = () => {},
  documentId = `INV-${Date.now()}`,
}: PlayLedgerStoryOptions): Promise<LedgerStory> {
  const [tier1, tier2, tier3] = accounts.suppliers;
  const core = accounts.coreEnterprise;
  const tier2Amount = toTier2 ?? (amount * 60n) / 100n;
  const tier3Amount = toTier3 ?? (amount * 25n) / 100n;
  const provider = core.provider;
  if (!provider) throw new Error("playLedgerStory: signers need a provider");
  const now = BigInt((await provider.getBlock("latest"))!.timestamp);

  const invoice: Invoice = {
    invoiceHash: invoiceHashOf(`${documentId}: goods delivered by ${world.suppliers[0].name}`),
    invoiceNumberHash: invoiceNumberHashOf(documentId),
    supplier: world.suppliers[0].address,
    debtor: world.coreEnterprise.address,
    currency: world.currency,
    amount,
    maturity: now + tenor,
  };
  log(`Invoice ${invoice.invoiceHash.slice(0, 10)}… for ${formatAmount(amount)} from ${world.suppliers[0].name} to ${world.coreEnterprise.name}`);

  // 1. The supplier registers the invoice; the core enterprise signs its confirmation off chain (EIP-712)
  //    and the supplier submits the signature: the core enterprise pays no gas.
  await (await ledger.connect(tier1).registerInvoice(invoice)).wait();
  const deadline = now + 24n * 60n * 60n;
  const signature = await signConfirmation({ ledger, signer: core, invoice, deadline });
  const confirmed = await (await ledger.connect(tier1).confirmInvoiceWithSignature(invoice, confirmationNonceOf(invoice), deadline, signature)).wait();
  const rootId = rootIdFromReceipt(ledger, confirmed!.logs);
  log(`Confirmed by ${world.coreEnterprise.name}'s signature: root receivable #${shortId(rootId)}`);

  // 2. Tier 1 offers part of it to tier 2, who signs for receipt.
  const offer2 = await (await ledger.connect(tier1).offerTransfer(rootId, world.suppliers[1].address, tier2Amount, 0)).wait();
  const tier2Id = offeredIdFromReceipt(ledger, offer2!.logs);
  await (await ledger.connect(tier2).acceptOffer(tier2Id)).wait();
  log(`${world.suppliers[0].name} split #${shortId(tier2Id)} (${formatAmount(tier2Amount)}) to ${world.suppliers[1].name}, who accepted it`);

  // 3. Tier 2 passes part of its part on to tier 3.
  const offer3 = await (await ledger.connect(tier2).offerTransfer(tier2Id, world.suppliers[2].address, tier3Amount, 0)).wait();
  const tier3Id = offeredIdFromReceipt(ledger, offer3!.logs);
  await (await ledger.connect(tier3).acceptOffer(tier3Id)).wait();
  log(`${world.suppliers[1].name} split #${shortId(tier3Id)} (${formatAmount(tier3Amount)}) to ${world.suppliers[2].name}, who accepted it`);

  const tree = await readLineageTree(ledger, rootId);
  const holdings = await readHoldings(ledger, world, [tree]);
  const treeText = renderLineageTree(tree, { names: world.names, formatAmount });
  const holdingsText = renderHoldings(holdings, formatAmount);
  log("");
  log("Holdings:");
  log(holdingsText);
  log("");
  log("Lineage tree:");
  log(treeText);
  return { invoice, rootId, tier2Id, tier3Id, holdings, tree, treeText, holdingsText };
}

/** Each demo organisation's receivables among the given trees, with its on-chain ERC-721 count. */
export async function readHoldings(ledger: ReceivableToken, world: DemoWorld, trees: LineageNode[]): Promise<Holding[]> {
  const organisations = [world.coreEnterprise, ...world.suppliers, ...world.banks];
  const all: LineageNode[] = [];
  const collect = (node: LineageNode) => {
    all.push(node);
    node.children.forEach(collect);
  };
  trees.forEach(collect);
  const holdings: Holding[] = [];
  for (const organisation of organisations) {
    const mine = all.filter((node) => node.holder.toLowerCase() === organisation.address.toLowerCase());
    holdings.push({
      organisation: organisation.address,
      name: organisation.name,
      count: await ledger["balanceOf(address)"](organisation.address),
      receivables: mine.map((node) => ({ id: node.id, amount: node.amount })),
      total: mine.reduce((sum, node) => sum + node.amount, 0n),
    });
  }
  return holdings;
}

export function renderHoldings(holdings: Holding[], formatAmount: (amount: bigint) => string = groupDigits): string {
  const width = Math.max(...holdings.map((h) => h.name.length));
  return holdings
    .map((h) => {
      const parts = h.receivables.map((r) => `#${shortId(r.id)} ${formatAmount(r.amount)}`).join(", ");
      return `  ${h.name.padEnd(width)}  ${formatAmount(h.total).padStart(16)}  (${h.count} receivable${h.count === 1n ? "" : "s"}${parts ? `: ${parts}` : ""})`;
    })
    .join("\n");
}
