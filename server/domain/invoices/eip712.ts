/**
 * The EIP-712 `Confirmation` a core enterprise signs to confirm an invoice, exactly as the receivable
 * token defines it (domain "Ledgerline Receivable" version "1"). Shared by the server's signing, the
 * typed-data endpoint for organisations that sign themselves, and the proof-bundle verifier.
 */
import { TypedDataEncoder, verifyTypedData } from "ethers";

export const CONFIRMATION_TYPES = {
  Confirmation: [
    { name: "invoiceHash", type: "bytes32" },
    { name: "supplier", type: "address" },
    { name: "debtor", type: "address" },
    { name: "currency", type: "address" },
    { name: "amount", type: "uint256" },
    { name: "maturity", type: "uint64" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

export interface InvoiceTerms {
  invoiceHash: string;
  supplier: string;
  debtor: string;
  currency: string;
  amount: bigint;
  maturity: bigint;
}

export function confirmationDomain(chainId: bigint, ledger: string) {
  return { name: "Ledgerline Receivable", version: "1", chainId, verifyingContract: ledger };
}

export function confirmationMessage(terms: InvoiceTerms, nonce: bigint, deadline: bigint) {
  return { ...terms, nonce, deadline };
}

export function confirmationDigest(chainId: bigint, ledger: string, terms: InvoiceTerms, nonce: bigint, deadline: bigint): string {
  return TypedDataEncoder.hash(confirmationDomain(chainId, ledger), CONFIRMATION_TYPES, confirmationMessage(terms, nonce, deadline));
}

export function recoverConfirmationSigner(chainId: bigint, ledger: string, terms: InvoiceTerms, nonce: bigint, deadline: bigint, signature: string): string {
  return verifyTypedData(confirmationDomain(chainId, ledger), CONFIRMATION_TYPES, confirmationMessage(terms, nonce, deadline), signature).toLowerCase();
}
