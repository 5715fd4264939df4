// The financing story, played on any chain: a core enterprise confirms 1,000,000.00; tier 1 keeps
// 600,000 and passes 400,000 to tier 2; tier 2 passes 100,000 to tier 3; tier 3 sells its receivable
// to bank A (purchase) and tier 2 pledges 200,000 to bank B; the core enterprise repays at maturity and
// everyone redeems. Also the small, reusable settlement actions (confirm, transfer a part, sign a quote)
// that the story, the tests, the gas bench and the seed scripts share. It takes contracts and signers,
// never Hardhat's runtime, and only moves time itself when the chain is Hardhat's.
import { ethers as ethersLib, type ContractTransactionReceipt, type Signer } from "ethers";
import type { FinancingSettlement, IERC20, ReceivableToken, RepaymentVault, SettlementToken } from "../typechain-types";

// ─── quotes ────────────────────────────────────────────────────────────────────

export const FinancingMode = { Purchase: 0, Pledge: 1 } as const;
export type FinancingModeValue = (typeof FinancingMode)[keyof typeof FinancingMode];

/** A financier's quote, as signed with EIP-712 (see IFinancingSettlement.Quote). */
export interface Quote {
  receivableId: bigint;
  amount: bigint;
  advance: bigint;
  financier: string;
  holder: string;
  mode: FinancingModeValue;
  repayment: bigint;
  currency: string;
  expiry: bigint;
  nonce: bigint;
}

export const QUOTE_TYPES = {
  Quote: [
    { name: "receivableId", type: "uint256" },
    { name: "amount", type: "uint256" },
    { name: "advance", type: "uint256" },
    { name: "financier", type: "address" },
    { name: "holder", type: "address" },
    { name: "mode", type: "uint8" },
    { name: "repayment", type: "uint256" },
    { name: "currency", type: "address" },
    { name: "expiry", type: "uint64" },
    { name: "nonce", type: "uint256" },
  ],
};

/** The financing settlement's EIP-712 domain, read from the contract itself (ERC-5267). */
export async function quoteDomain(financing: FinancingSettlement) {
  const domain = await financing.eip712Domain();
  return { name: domain.name, version: domain.version, chainId: domain.chainId, verifyingContract: domain.verifyingContract };
}

/** The financier signs `quote` (EIP-712). */
export async function signQuote(financing: FinancingSettlement, financier: Signer, quote: Quote): Promise<string> {
  return financier.signTypedData(await quoteDomain(financing), QUOTE_TYPES, quote);
}

// ─── receivables ───────────────────────────────────────────────────────────────

export interface ConfirmReceivableArgs {
  ledger: ReceivableToken;
  core: Signer;
  supplier: string;
  currency: string;
  amount: bigint;
  maturity: bigint;
  /** Defaults to a hash of the terms and a counter, unique per call. */
  invoiceHash?: string;
}

let invoiceCounter = 0;

/** The core enterprise confirms an invoice by its own transaction; returns the root receivable's id. */
export async function confirmReceivable({ ledger, core, supplier, currency, amount, maturity, invoiceHash }: ConfirmReceivableArgs): Promise<bigint> {
  const debtor = await core.getAddress();
  invoiceCounter += 1;
  const hash =
    invoiceHash ??
    ethersLib.keccak256(
      ethersLib.AbiCoder.defaultAbiCoder().encode(
        ["string", "address", "address", "uint256", "uint64", "uint256", "uint256"],
        ["ledgerline-invoice", supplier, debtor, amount, maturity, invoiceCounter, BigInt(Date.now())],
      ),
    );
  const invoice = { invoiceHash: hash, supplier, debtor, currency, amount, maturity };
  await (await ledger.connect(core).confirmInvoice(invoice)).wait();
  return ledger.rootIdOfInvoice(hash);
}

function offeredIdFrom(ledger: ReceivableToken, receipt: ContractTransactionReceipt | null): bigint {
  for (const log of receipt?.logs ?? []) {
    const parsed = ledger.interface.parseLog(log);
    if (parsed?.name === "TransferOffered") return parsed.args[0] as bigint;
  }
  throw new Error("transfer: no TransferOffered event");
}

export interface TransferPartArgs {
  ledger: ReceivableToken;
  from: Signer;
  to: Signer;
  id: bigint;
  amount: bigint;
}

/** `from` offers `amount` of `id` to `to`, who accepts (signing for receipt); returns the id `to` holds. */
export async function transferPart({ ledger, from, to, id, amount }: TransferPartArgs): Promise<bigint> {
  const receipt = await (await ledger.connect(from).offerTransfer(id, await to.getAddress(), amount, 0)).wait();
  const offeredId = offeredIdFrom(ledger, receipt);
  await (await ledger.connect(to).acceptOffer(offeredId)).wait();
  return offeredId;
}

/** The financed id a `QuoteAccepted` event in `receipt` reports. */
export function financedIdFrom(financing: FinancingSettlement, receipt: ContractTransactionReceipt | null): bigint {
  for (const log of receipt?.logs ?? []) {
    if (log.address.toLowerCase() !== String(financing.target).toLowerCase()) continue;
    const parsed = financing.interface.parseLog(log);
    if (parsed?.name === "QuoteAccepted") return parsed.args.financedId as bigint;
  }
  throw new Error("acceptQuote: no QuoteAccepted event");
}
