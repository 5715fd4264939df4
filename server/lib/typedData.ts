// The EIP-712 typed data the contracts verify, written once: the receivable token's `Confirmation` (a core
// enterprise confirms an invoice) and the financing settlement's `Quote` (a financier's signed offer), their
// domains and their TypeScript shapes. The server's signing and verification, the proof-bundle verifier,
// the scripts, the benchmarks and the tests all import them from here. It must never drift from the
// contracts: the fields follow ReceivableToken.CONFIRMATION_TYPEHASH and FinancingSettlement.QUOTE_TYPEHASH,
// the domain names and versions their `EIP712(name, version)` constructor arguments (a test compares both
// with what the deployed contracts report through ERC-5267).
import { AbiCoder, keccak256, toUtf8Bytes, TypedDataEncoder, verifyTypedData } from "ethers";
import type { IFinancingSettlement, IReceivableToken } from "../../typechain-types";

/** The named fields of a TypeChain struct output (the tuple part left out): the struct as the ABI has it. */
type StructFields<T> = { [K in keyof T as K extends keyof unknown[] | `${number}` ? never : K]: T[K] };

// ─── domains ───────────────────────────────────────────────────────────────────

/** ReceivableToken's `EIP712("Ledgerline Receivable", "1")`. */
export const RECEIVABLE_EIP712 = { name: "Ledgerline Receivable", version: "1" } as const;
/** FinancingSettlement's `EIP712("Ledgerline FinancingSettlement", "1")`. */
export const FINANCING_EIP712 = { name: "Ledgerline FinancingSettlement", version: "1" } as const;

/** A deployed contract's EIP-712 domain (no salt: the contracts use OpenZeppelin's EIP712 without one). */
export interface Eip712Domain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

export function confirmationDomain(chainId: bigint, ledger: string): Eip712Domain {
  return { ...RECEIVABLE_EIP712, chainId, verifyingContract: ledger };
}

export function quoteDomain(chainId: bigint, financing: string): Eip712Domain {
  return { ...FINANCING_EIP712, chainId, verifyingContract: financing };
}

/** Any contract that reports its EIP-712 domain (ERC-5267), as TypeChain types it. */
export interface Eip712DomainReporter {
  eip712Domain(): Promise<Eip712Domain>;
}

/** The domain a deployed contract reports (ERC-5267): what a signer for an unknown deployment signs for. */
export async function eip712DomainOf(contract: Eip712DomainReporter): Promise<Eip712Domain> {
  const { name, version, chainId, verifyingContract } = await contract.eip712Domain();
  return { name, version, chainId, verifyingContract };
}

// ─── Confirmation ──────────────────────────────────────────────────────────────

/**
 * An invoice's terms: IReceivableToken.Invoice, typed from the ABI by TypeChain. Its `invoiceNumberHash` is
 * `invoiceNumberHashOf(invoice number)`: the ledger confirms one number per supplier and debtor once.
 */
export type Invoice = StructFields<IReceivableToken.InvoiceStructOutput>;

export const CONFIRMATION_TYPES = {
  Confirmation: [
    { name: "invoiceHash", type: "bytes32" },
    { name: "invoiceNumberHash", type: "bytes32" },
    { name: "supplier", type: "address" },
    { name: "debtor", type: "address" },
    { name: "currency", type: "address" },
    { name: "amount", type: "uint256" },
    { name: "maturity", type: "uint64" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** The unordered nonce Ledgerline's tools sign a confirmation with: the invoice hash itself, unique per
 * invoice (a hash confirms once) and known before signing, so nothing has to be read from the chain. A debtor
 * may use any other unused nonce (contracts: `nonceBitmap`, `invalidateNonces`). */
export function confirmationNonceOf(invoice: { invoiceHash: string }): bigint {
  return BigInt(invoice.invoiceHash);
}

export function confirmationMessage(invoice: Invoice, nonce: bigint, deadline: bigint) {
  return {
    invoiceHash: invoice.invoiceHash,
    invoiceNumberHash: invoice.invoiceNumberHash,
    supplier: invoice.supplier,
    debtor: invoice.debtor,
    currency: invoice.currency,
    amount: invoice.amount,
    maturity: invoice.maturity,
    nonce,
    deadline,
  };
}

/**
 * An invoice number as the ledger's commitment compares it: Unicode NFKC (full-width digits and letters
 * become ASCII), every whitespace removed, upper case. So "inv 2026-001", "INV2026-001" and
 * "ＩＮＶ 2026-001" are one number; punctuation is kept ("2026-001" and "2026001" stay two).
 */
export function normaliseInvoiceNumber(invoiceNumber: string): string {
  return invoiceNumber.normalize("NFKC").replace(/\s+/gu, "").toUpperCase();
}

/** `Invoice.invoiceNumberHash`: keccak256 of the normalised invoice number's UTF-8 bytes. */
export function invoiceNumberHashOf(invoiceNumber: string): string {
  return keccak256(toUtf8Bytes(normaliseInvoiceNumber(invoiceNumber)));
}

/** What the ledger stores for a confirmed invoice number (`rootIdOfInvoiceNumber`): never the number in clear. */
export function invoiceNumberCommitment(debtor: string, supplier: string, invoiceNumberHash: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address", "address", "bytes32"], [debtor, supplier, invoiceNumberHash]));
}

export function confirmationDigest(chainId: bigint, ledger: string, invoice: Invoice, nonce: bigint, deadline: bigint): string {
  return TypedDataEncoder.hash(confirmationDomain(chainId, ledger), CONFIRMATION_TYPES, confirmationMessage(invoice, nonce, deadline));
}

/** The lower-cased address that signed this confirmation (throws on a malformed signature). */
export function recoverConfirmationSigner(chainId: bigint, ledger: string, invoice: Invoice, nonce: bigint, deadline: bigint, signature: string): string {
  return verifyTypedData(confirmationDomain(chainId, ledger), CONFIRMATION_TYPES, confirmationMessage(invoice, nonce, deadline), signature).toLowerCase();
}

// ─── Quote ─────────────────────────────────────────────────────────────────────

/** IFinancingSettlement.Mode. */
export const FinancingMode = { Purchase: 0, Pledge: 1 } as const;
export type FinancingModeValue = (typeof FinancingMode)[keyof typeof FinancingMode];

/** A financier's quote, as signed with EIP-712: IFinancingSettlement.Quote, typed from the ABI by TypeChain
 * (its `mode` narrowed to the enum's values; `programmeId` is the risk-sharing programme to enrol the
 * financing in, 0n for none; `evidenceHash` the keccak256 of the financier's due-diligence record). */
export type Quote = Omit<StructFields<IFinancingSettlement.QuoteStructOutput>, "mode"> & { mode: FinancingModeValue };

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
    { name: "programmeId", type: "uint256" },
    { name: "evidenceHash", type: "bytes32" },
  ],
};

export function quoteDigest(chainId: bigint, financing: string, quote: Quote): string {
  return TypedDataEncoder.hash(quoteDomain(chainId, financing), QUOTE_TYPES, quote);
}

/** The lower-cased address that signed this quote (throws on a malformed signature). */
export function recoverQuoteSigner(chainId: bigint, financing: string, quote: Quote, signature: string): string {
  return verifyTypedData(quoteDomain(chainId, financing), QUOTE_TYPES, quote, signature).toLowerCase();
}
