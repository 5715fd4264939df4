-- The signature nonce a sequenced call consumes (server-signed EIP-712 confirmations), numbered under
-- the key's nonce lock (server/signing/nonces.ts).

-- AlterTable
ALTER TABLE "signer_transaction" ADD COLUMN "sequence" BIGINT;
