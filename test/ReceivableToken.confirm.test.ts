// Invoices and their confirmation: registration, rejection, confirmation by the debtor's own transaction
// and by its EIP-712 signature, and the currency list.
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { CONFIRMATION_TYPES, confirmationDigest, confirmationMessage, confirmationNonceOf, eip712DomainOf, invoiceNumberCommitment, invoiceNumberHashOf, type Invoice } from "../server/lib/typedData";
import {
  confirm,
  ISSUANCE_LIMIT,
  CURRENCY,
  DAY,
  deployLedgerFixture,
  makeInvoice,
  NO_NONCE,
  OrganisationRole,
  OTHER_CURRENCY,
  signFor,
  type LedgerFixture,
} from "./fixtures/system";

const MAX_UINT96 = 2n ** 96n - 1n;
const asId = (hash: string) => BigInt(hash);

/** Where the debtor's signature really recovers to, for a given nonce and deadline. */
async function recoveredSigner(f: LedgerFixture, invoice: Invoice, nonce: bigint, deadline: bigint, signature: string) {
  return ethers.verifyTypedData(await eip712DomainOf(f.ledger), CONFIRMATION_TYPES, confirmationMessage(invoice, nonce, deadline), signature);
}

describe("ReceivableToken: invoices and confirmation", () => {
  describe("setCurrencyAllowed", () => {
    it("allows a currency and emits CurrencyAllowed", async () => {
      const { ledger, admin } = await loadFixture(deployLedgerFixture);
      await expect(ledger.connect(admin).setCurrencyAllowed(OTHER_CURRENCY, true))
        .to.emit(ledger, "CurrencyAllowed")
        .withArgs(OTHER_CURRENCY, true);
      expect(await ledger.isCurrencyAllowed(OTHER_CURRENCY)).to.equal(true);
    });

    it("disallows a currency for new confirmations but leaves existing roots' currency readable", async () => {
      const f = await loadFixture(deployLedgerFixture);
      const rootId = await confirm(f, await makeInvoice(f));
      await expect(f.ledger.connect(f.admin).setCurrencyAllowed(CURRENCY, false))
        .to.emit(f.ledger, "CurrencyAllowed")
        .withArgs(CURRENCY, false);
      expect((await f.ledger.rootOf(rootId)).currency).to.equal(CURRENCY);
      const invoice = await makeInvoice(f);
      await expect(f.ledger.connect(f.core).confirmInvoice(invoice))
        .to.be.revertedWithCustomError(f.ledger, "ReceivableCurrencyNotAllowed")
        .withArgs(CURRENCY);
    });

    describe("when the caller is not the default admin (the timelock, once deployed)", () => {
      it("reverts with AccessControlUnauthorizedAccount, for a bank and for the operator", async () => {
        const { ledger, bankA, operator } = await loadFixture(deployLedgerFixture);
        for (const caller of [bankA, operator]) {
          await expect(ledger.connect(caller).setCurrencyAllowed(OTHER_CURRENCY, true))
            .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, ethers.ZeroHash);
        }
      });
    });

    describe("when the currency is the zero address", () => {
      it("reverts with ReceivableCurrencyNotAllowed", async () => {
        const { ledger, admin } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(admin).setCurrencyAllowed(ethers.ZeroAddress, true))
          .to.be.revertedWithCustomError(ledger, "ReceivableCurrencyNotAllowed")
          .withArgs(ethers.ZeroAddress);
      });
    });
  });

  describe("registerInvoice", () => {
    it("records the terms and emits InvoiceRegistered", async () => {
      const f = await loadFixture(deployLedgerFixture);
      const invoice = await makeInvoice(f);
      await expect(f.ledger.connect(f.tier1).registerInvoice(invoice))
        .to.emit(f.ledger, "InvoiceRegistered")
        .withArgs(invoice.invoiceHash, invoice.supplier, invoice.debtor, invoice.invoiceNumberHash, invoice.currency, invoice.amount, invoice.maturity);
    });

    describe("when the caller is not the invoice's supplier", () => {
      it("reverts with ReceivableUnauthorized naming the invoice hash", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const invoice = await makeInvoice(f);
        await expect(f.ledger.connect(f.tier2).registerInvoice(invoice))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableUnauthorized")
          .withArgs(f.tier2.address, asId(invoice.invoiceHash));
      });
    });

    describe("when it is already registered", () => {
      it("reverts with ReceivableInvoiceAlreadyRegistered", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const invoice = await makeInvoice(f);
        await f.ledger.connect(f.tier1).registerInvoice(invoice);
        await expect(f.ledger.connect(f.tier1).registerInvoice({ ...invoice, amount: 5n }))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableInvoiceAlreadyRegistered")
          .withArgs(invoice.invoiceHash, f.tier1.address);
      });
    });

    describe("when it was already confirmed", () => {
      it("reverts with ReceivableInvoiceAlreadyConfirmed", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const invoice = await makeInvoice(f);
        await confirm(f, invoice);
        await expect(f.ledger.connect(f.tier1).registerInvoice(invoice))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableInvoiceAlreadyConfirmed")
          .withArgs(invoice.invoiceHash);
      });
    });

    describe("when the terms are invalid", () => {
      it("rejects a zero amount", async () => {
        const f = await loadFixture(deployLedgerFixture);
        await expect(f.ledger.connect(f.tier1).registerInvoice(await makeInvoice(f, { amount: 0n }))).to.be.revertedWithCustomError(
          f.ledger,
          "ReceivableZeroAmount",
        );
      });

      it("rejects a past maturity", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const maturity = BigInt(await time.latest());
        await time.setNextBlockTimestamp(maturity + 1n);
        await expect(f.ledger.connect(f.tier1).registerInvoice(await makeInvoice(f, { maturity })))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableMaturityInPast")
          .withArgs(maturity, maturity + 1n);
      });

      it("rejects a debtor that is not a core enterprise", async () => {
        const f = await loadFixture(deployLedgerFixture);
        await expect(f.ledger.connect(f.tier1).registerInvoice(await makeInvoice(f, { debtor: f.bankA.address })))
          .to.be.revertedWithCustomError(f.ledger, "RegistryWrongRole")
          .withArgs(f.bankA.address, OrganisationRole.CoreEnterprise, OrganisationRole.Financier);
      });
    });

    describe("when the ledger is paused", () => {
      it("reverts with EnforcedPause", async () => {
        const f = await loadFixture(deployLedgerFixture);
        await f.ledger.connect(f.operator).pause();
        await expect(f.ledger.connect(f.tier1).registerInvoice(await makeInvoice(f))).to.be.revertedWithCustomError(f.ledger, "EnforcedPause");
      });
    });
  });

  describe("rejectInvoice", () => {
    it("deletes the registration, emits InvoiceRejected and lets the supplier register corrected terms", async () => {
      const f = await loadFixture(deployLedgerFixture);
      const invoice = await makeInvoice(f);
      await f.ledger.connect(f.tier1).registerInvoice(invoice);
      await expect(f.ledger.connect(f.core).rejectInvoice(invoice.invoiceHash, invoice.supplier, "wrong quantity"))
        .to.emit(f.ledger, "InvoiceRejected")
        .withArgs(invoice.invoiceHash, invoice.supplier, f.core.address, "wrong quantity");
      await expect(f.ledger.connect(f.tier1).registerInvoice({ ...invoice, amount: 9_000n }))
        .to.emit(f.ledger, "InvoiceRegistered")
        .withArgs(invoice.invoiceHash, invoice.supplier, invoice.debtor, invoice.invoiceNumberHash, invoice.currency, 9_000n, invoice.maturity);
    });

    describe("when the invoice is not registered", () => {
      it("reverts with ReceivableInvoiceNotRegistered", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const invoice = await makeInvoice(f);
        await expect(f.ledger.connect(f.core).rejectInvoice(invoice.invoiceHash, invoice.supplier, "no"))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableInvoiceNotRegistered")
          .withArgs(invoice.invoiceHash, invoice.supplier);
      });
    });

    describe("when the caller is not the debtor", () => {
      it("reverts with ReceivableUnauthorized", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const invoice = await makeInvoice(f);
        await f.ledger.connect(f.tier1).registerInvoice(invoice);
        await expect(f.ledger.connect(f.tier1).rejectInvoice(invoice.invoiceHash, invoice.supplier, "no"))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableUnauthorized")
          .withArgs(f.tier1.address, asId(invoice.invoiceHash));
      });
    });

    describe("when the ledger is paused", () => {
      it("reverts with EnforcedPause", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const invoice = await makeInvoice(f);
        await f.ledger.connect(f.tier1).registerInvoice(invoice);
        await f.ledger.connect(f.operator).pause();
        await expect(f.ledger.connect(f.core).rejectInvoice(invoice.invoiceHash, invoice.supplier, "no")).to.be.revertedWithCustomError(f.ledger, "EnforcedPause");
      });
    });
  });

  describe("confirmInvoice", () => {
    it("mints the root receivable to the supplier with every event an indexer needs", async () => {
      const f = await loadFixture(deployLedgerFixture);
      const invoice = await makeInvoice(f);
      const rootId = 1n << 32n;
      const tx = f.ledger.connect(f.core).confirmInvoice(invoice);
      await expect(tx)
        .to.emit(f.ledger, "InvoiceConfirmed")
        .withArgs(invoice.invoiceHash, rootId, f.core.address, f.tier1.address, invoice.invoiceNumberHash, CURRENCY, invoice.amount, invoice.maturity, NO_NONCE);
      await expect(tx).to.emit(f.ledger, "Transfer").withArgs(ethers.ZeroAddress, f.tier1.address, rootId);
      await expect(tx).to.emit(f.ledger, "SlotChanged").withArgs(rootId, 0n, rootId);
      await expect(tx).to.emit(f.ledger, "TransferValue").withArgs(0n, rootId, invoice.amount);

      expect(await f.ledger.ownerOf(rootId)).to.equal(f.tier1.address);
      expect(await f.ledger["balanceOf(address)"](f.tier1.address)).to.equal(1n);
      expect(await f.ledger["balanceOf(uint256)"](rootId)).to.equal(invoice.amount);
      expect(await f.ledger.slotOf(rootId)).to.equal(rootId);
      const r = await f.ledger.receivableOf(rootId);
      expect([r.holder, r.amount, r.rootId, r.parentId, r.depth, r.flags, r.counterparty, r.offerDeadline]).to.deep.equal([
        f.tier1.address,
        invoice.amount,
        rootId,
        0n,
        0n,
        0n,
        ethers.ZeroAddress,
        0n,
      ]);
      const root = await f.ledger.rootOf(rootId);
      expect([root.issuer, root.currency, root.maturity, root.frozen, root.overdue]).to.deep.equal([
        f.core.address,
        CURRENCY,
        invoice.maturity,
        false,
        false,
      ]);
      expect(await f.ledger.rootIdOfInvoice(invoice.invoiceHash)).to.equal(rootId);
      expect(await f.ledger.issuedFace(f.core.address, CURRENCY, invoice.maturity)).to.equal(invoice.amount);
      expect(await f.ledger.issuanceLimitOf(f.core.address)).to.deep.equal([ISSUANCE_LIMIT, invoice.amount]);
      expect(await f.ledger.nonceBitmap(f.core.address, 0n)).to.equal(0n);
    });

    it("adds to the repayment pool's face across invoices of one maturity", async () => {
      const f = await loadFixture(deployLedgerFixture);
      const first = await makeInvoice(f);
      await confirm(f, first);
      await confirm(f, await makeInvoice(f, { maturity: first.maturity, amount: 2_500n }));
      expect(await f.ledger.issuedFace(f.core.address, CURRENCY, first.maturity)).to.equal(12_500n);
    });

    it("confirms matching registered terms and clears the registration", async () => {
      const f = await loadFixture(deployLedgerFixture);
      const invoice = await makeInvoice(f);
      await f.ledger.connect(f.tier1).registerInvoice(invoice);
      await expect(f.ledger.connect(f.core).confirmInvoice(invoice))
        .to.emit(f.ledger, "InvoiceConfirmed")
        .withArgs(invoice.invoiceHash, 1n << 32n, f.core.address, f.tier1.address, invoice.invoiceNumberHash, CURRENCY, invoice.amount, invoice.maturity, NO_NONCE);
      await expect(f.ledger.connect(f.core).rejectInvoice(invoice.invoiceHash, invoice.supplier, "late"))
        .to.be.revertedWithCustomError(f.ledger, "ReceivableInvoiceNotRegistered")
        .withArgs(invoice.invoiceHash, invoice.supplier);
    });

    describe("when registered terms differ", () => {
      it("reverts with ReceivableInvoiceTermsMismatch", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const invoice = await makeInvoice(f);
        await f.ledger.connect(f.tier1).registerInvoice(invoice);
        await expect(f.ledger.connect(f.core).confirmInvoice({ ...invoice, amount: invoice.amount + 1n }))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableInvoiceTermsMismatch")
          .withArgs(invoice.invoiceHash);
      });
    });

    describe("when the caller is not the debtor", () => {
      it("reverts with ReceivableInvalidSigner", async () => {
        const f = await loadFixture(deployLedgerFixture);
        await expect(f.ledger.connect(f.tier1).confirmInvoice(await makeInvoice(f)))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableInvalidSigner")
          .withArgs(f.tier1.address, f.core.address);
      });
    });

    describe("when the invoice was confirmed before", () => {
      it("reverts with ReceivableInvoiceAlreadyConfirmed, even after its receivable is gone", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const invoice = await makeInvoice(f);
        const rootId = await confirm(f, invoice);
        await f.ledger.connect(f.admin).bindSystemContracts(f.relayer.address, f.admin.address);
        await f.ledger.connect(f.admin).burn(rootId);
        await expect(f.ledger.connect(f.core).confirmInvoice(invoice))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableInvoiceAlreadyConfirmed")
          .withArgs(invoice.invoiceHash);
      });
    });

    describe("when the issuance limit would be exceeded", () => {
      it("reverts with RegistryIssuanceLimitExceeded naming what is available", async () => {
        const f = await loadFixture(deployLedgerFixture);
        await confirm(f, await makeInvoice(f, { amount: ISSUANCE_LIMIT - 400n }));
        await expect(f.ledger.connect(f.core).confirmInvoice(await makeInvoice(f, { amount: 401n })))
          .to.be.revertedWithCustomError(f.ledger, "RegistryIssuanceLimitExceeded")
          .withArgs(f.core.address, 400n, 401n);
        const last = await makeInvoice(f, { amount: 400n });
        await expect(f.ledger.connect(f.core).confirmInvoice(last))
          .to.emit(f.ledger, "InvoiceConfirmed")
          .withArgs(last.invoiceHash, 2n << 32n, f.core.address, f.tier1.address, last.invoiceNumberHash, CURRENCY, 400n, last.maturity, NO_NONCE);
        expect(await f.ledger.issuanceLimitOf(f.core.address)).to.deep.equal([ISSUANCE_LIMIT, ISSUANCE_LIMIT]);
      });

      it("has nothing available once the line is lowered below usage", async () => {
        const f = await loadFixture(deployLedgerFixture);
        await confirm(f, await makeInvoice(f, { amount: 5_000n }));
        await f.ledger.connect(f.operator).setIssuanceLimit(f.core.address, 1_000n);
        await expect(f.ledger.connect(f.core).confirmInvoice(await makeInvoice(f, { amount: 1n })))
          .to.be.revertedWithCustomError(f.ledger, "RegistryIssuanceLimitExceeded")
          .withArgs(f.core.address, 0n, 1n);
      });
    });

    describe("when the terms are invalid", () => {
      it("rejects a zero amount", async () => {
        const f = await loadFixture(deployLedgerFixture);
        await expect(f.ledger.connect(f.core).confirmInvoice(await makeInvoice(f, { amount: 0n }))).to.be.revertedWithCustomError(
          f.ledger,
          "ReceivableZeroAmount",
        );
      });

      it("rejects an amount above uint96", async () => {
        const f = await loadFixture(deployLedgerFixture);
        await expect(f.ledger.connect(f.core).confirmInvoice(await makeInvoice(f, { amount: MAX_UINT96 + 1n })))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableAmountTooLarge")
          .withArgs(MAX_UINT96 + 1n, MAX_UINT96);
      });

      it("rejects a maturity that has come", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const now = BigInt(await time.latest()) + 10n;
        await time.setNextBlockTimestamp(now);
        await expect(f.ledger.connect(f.core).confirmInvoice(await makeInvoice(f, { maturity: now })))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableMaturityInPast")
          .withArgs(now, now);
      });

      it("rejects a currency the operator has not allowed", async () => {
        const f = await loadFixture(deployLedgerFixture);
        await expect(f.ledger.connect(f.core).confirmInvoice(await makeInvoice(f, { currency: OTHER_CURRENCY })))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableCurrencyNotAllowed")
          .withArgs(OTHER_CURRENCY);
      });

      it("rejects an unregistered supplier", async () => {
        const f = await loadFixture(deployLedgerFixture);
        await expect(f.ledger.connect(f.core).confirmInvoice(await makeInvoice(f, { supplier: f.outsider.address })))
          .to.be.revertedWithCustomError(f.ledger, "RegistryOrganisationNotRegistered")
          .withArgs(f.outsider.address);
      });

      it("rejects a supplier that is a financier", async () => {
        const f = await loadFixture(deployLedgerFixture);
        await expect(f.ledger.connect(f.core).confirmInvoice(await makeInvoice(f, { supplier: f.bankA.address })))
          .to.be.revertedWithCustomError(f.ledger, "RegistryWrongRole")
          .withArgs(f.bankA.address, OrganisationRole.Supplier, OrganisationRole.Financier);
      });
    });

    describe("when a party is suspended", () => {
      it("rejects a suspended supplier", async () => {
        const f = await loadFixture(deployLedgerFixture);
        await f.ledger.connect(f.operator).suspendOrganisation(f.tier1.address);
        await expect(f.ledger.connect(f.core).confirmInvoice(await makeInvoice(f)))
          .to.be.revertedWithCustomError(f.ledger, "RegistryOrganisationSuspended")
          .withArgs(f.tier1.address);
      });

      it("rejects a suspended debtor", async () => {
        const f = await loadFixture(deployLedgerFixture);
        await f.ledger.connect(f.operator).suspendOrganisation(f.core.address);
        await expect(f.ledger.connect(f.core).confirmInvoice(await makeInvoice(f)))
          .to.be.revertedWithCustomError(f.ledger, "RegistryOrganisationSuspended")
          .withArgs(f.core.address);
      });
    });

    describe("when the ledger is paused", () => {
      it("reverts with EnforcedPause", async () => {
        const f = await loadFixture(deployLedgerFixture);
        await f.ledger.connect(f.operator).pause();
        await expect(f.ledger.connect(f.core).confirmInvoice(await makeInvoice(f))).to.be.revertedWithCustomError(f.ledger, "EnforcedPause");
      });
    });
  });

  describe("confirmInvoiceWithSignature", () => {
    it("mints the root when anyone submits the debtor's signature, using up its nonce", async () => {
      const f = await loadFixture(deployLedgerFixture);
      const invoice = await makeInvoice(f);
      const deadline = BigInt(await time.latest()) + DAY;
      const signature = await signFor(f, invoice, deadline, f.core, 300n);
      await expect(f.ledger.connect(f.relayer).confirmInvoiceWithSignature(invoice, 300n, deadline, signature))
        .to.emit(f.ledger, "InvoiceConfirmed")
        .withArgs(invoice.invoiceHash, 1n << 32n, f.core.address, f.tier1.address, invoice.invoiceNumberHash, CURRENCY, invoice.amount, invoice.maturity, 300n);
      // Nonce 300 is bit 44 of word 1.
      expect(await f.ledger.nonceBitmap(f.core.address, 1n)).to.equal(1n << 44n);
      expect(await f.ledger.ownerOf(1n << 32n)).to.equal(f.tier1.address);
    });

    describe("when an earlier signature is withheld (audit item 9b: unordered nonces)", () => {
      it("still confirms the debtor's later signatures, and the withheld one afterwards", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const withheld = await makeInvoice(f);
        const later = await makeInvoice(f);
        const deadline = BigInt(await time.latest()) + DAY;
        const withheldSignature = await signFor(f, withheld, deadline, f.core, 0n);
        const laterSignature = await signFor(f, later, deadline, f.core, 1n);
        await expect(f.ledger.connect(f.relayer).confirmInvoiceWithSignature(later, 1n, deadline, laterSignature)).to.emit(f.ledger, "InvoiceConfirmed");
        await expect(f.ledger.connect(f.relayer).confirmInvoiceWithSignature(withheld, 0n, deadline, withheldSignature)).to.emit(f.ledger, "InvoiceConfirmed");
        expect(await f.ledger.nonceBitmap(f.core.address, 0n)).to.equal(3n);
      });
    });

    describe("when the debtor cancelled the nonce (invalidateNonces)", () => {
      it("fails the cancelled signature with ReceivableNonceUsed", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const invoice = await makeInvoice(f);
        const deadline = BigInt(await time.latest()) + DAY;
        const signature = await signFor(f, invoice, deadline, f.core, 7n);
        await expect(f.ledger.connect(f.core).invalidateNonces(0n, 1n << 7n)).to.emit(f.ledger, "NoncesInvalidated").withArgs(f.core.address, 0n, 1n << 7n);
        await expect(f.ledger.connect(f.relayer).confirmInvoiceWithSignature(invoice, 7n, deadline, signature))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableNonceUsed")
          .withArgs(f.core.address, 7n);
      });
    });

    describe("when the deadline has passed", () => {
      it("reverts with ReceivableSignatureExpired", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const invoice = await makeInvoice(f);
        const deadline = BigInt(await time.latest()) + 100n;
        const signature = await signFor(f, invoice, deadline);
        await time.setNextBlockTimestamp(deadline + 1n);
        await expect(f.ledger.connect(f.relayer).confirmInvoiceWithSignature(invoice, confirmationNonceOf(invoice), deadline, signature))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableSignatureExpired")
          .withArgs(deadline, deadline + 1n);
      });
    });

    describe("when the signature is replayed", () => {
      it("cannot confirm the same invoice twice: the nonce is used up", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const invoice = await makeInvoice(f);
        const deadline = BigInt(await time.latest()) + DAY;
        const signature = await signFor(f, invoice, deadline);
        const nonce = confirmationNonceOf(invoice);
        await f.ledger.connect(f.relayer).confirmInvoiceWithSignature(invoice, nonce, deadline, signature);
        await expect(f.ledger.connect(f.relayer).confirmInvoiceWithSignature(invoice, nonce, deadline, signature))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableNonceUsed")
          .withArgs(f.core.address, nonce);
      });

      it("cannot confirm the same invoice twice even with a fresh signature", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const invoice = await makeInvoice(f);
        const deadline = BigInt(await time.latest()) + DAY;
        await f.ledger.connect(f.relayer).confirmInvoiceWithSignature(invoice, confirmationNonceOf(invoice), deadline, await signFor(f, invoice, deadline));
        const fresh = await signFor(f, invoice, deadline, f.core, confirmationNonceOf(invoice) + 1n);
        await expect(f.ledger.connect(f.relayer).confirmInvoiceWithSignature(invoice, confirmationNonceOf(invoice) + 1n, deadline, fresh))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableInvoiceAlreadyConfirmed")
          .withArgs(invoice.invoiceHash);
      });

      it("cannot use a consumed nonce for another invoice", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const first = await makeInvoice(f);
        const second = await makeInvoice(f);
        const deadline = BigInt(await time.latest()) + DAY;
        const firstSignature = await signFor(f, first, deadline, f.core, 0n);
        const secondSignature = await signFor(f, second, deadline, f.core, 0n);
        await f.ledger.connect(f.relayer).confirmInvoiceWithSignature(first, 0n, deadline, firstSignature);
        await expect(f.ledger.connect(f.relayer).confirmInvoiceWithSignature(second, 0n, deadline, secondSignature))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableNonceUsed")
          .withArgs(f.core.address, 0n);
      });
    });

    describe("when someone other than the debtor signed", () => {
      it("reverts with ReceivableInvalidSigner naming the signer", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const invoice = await makeInvoice(f);
        const deadline = BigInt(await time.latest()) + DAY;
        const signature = await signFor(f, invoice, deadline, f.tier1);
        await expect(f.ledger.connect(f.tier1).confirmInvoiceWithSignature(invoice, confirmationNonceOf(invoice), deadline, signature))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableInvalidSigner")
          .withArgs(f.tier1.address, f.core.address);
      });
    });

    describe("when the signature is for another chain or contract", () => {
      for (const [what, change] of [
        ["chain", (d: Record<string, unknown>) => ({ ...d, chainId: 1n })],
        ["contract", (d: Record<string, unknown>) => ({ ...d, verifyingContract: "0x000000000000000000000000000000000000dEaD" })],
      ] as const) {
        it(`rejects a signature bound to another ${what}`, async () => {
          const f = await loadFixture(deployLedgerFixture);
          const invoice = await makeInvoice(f);
          const deadline = BigInt(await time.latest()) + DAY;
          const domain = change({ ...(await eip712DomainOf(f.ledger)) });
          const signature = await f.core.signTypedData(domain, CONFIRMATION_TYPES, confirmationMessage(invoice, 0n, deadline));
          const recovered = await recoveredSigner(f, invoice, 0n, deadline, signature);
          expect(recovered).to.not.equal(f.core.address);
          await expect(f.ledger.connect(f.relayer).confirmInvoiceWithSignature(invoice, 0n, deadline, signature))
            .to.be.revertedWithCustomError(f.ledger, "ReceivableInvalidSigner")
            .withArgs(recovered, f.core.address);
        });
      }
    });

    describe("when the signature is malformed", () => {
      it("reverts with ReceivableInvalidSigner naming no signer", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const invoice = await makeInvoice(f);
        const deadline = BigInt(await time.latest()) + DAY;
        await expect(f.ledger.connect(f.relayer).confirmInvoiceWithSignature(invoice, 0n, deadline, "0x1234"))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableInvalidSigner")
          .withArgs(ethers.ZeroAddress, f.core.address);
      });
    });

    describe("when the debtor is a contract wallet (ERC-1271)", () => {
      async function walletDebtor(f: LedgerFixture) {
        const wallet = await (await ethers.getContractFactory("TestOrganisationWallet")).deploy();
        const address = await wallet.getAddress();
        await f.ledger.connect(f.operator).registerOrganisation(address, OrganisationRole.CoreEnterprise, ethers.id("kyc:wallet"));
        await f.ledger.connect(f.operator).setIssuanceLimit(address, ISSUANCE_LIMIT);
        const invoice = await makeInvoice(f, { debtor: address });
        const deadline = BigInt(await time.latest()) + DAY;
        return { wallet, address, invoice, deadline, digest: await f.ledger.confirmationDigest(invoice, 0n, deadline) };
      }

      it("confirms when the wallet approves the digest", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const { wallet, address, invoice, deadline, digest } = await walletDebtor(f);
        await wallet.approveHash(digest);
        await expect(f.ledger.connect(f.relayer).confirmInvoiceWithSignature(invoice, 0n, deadline, "0x"))
          .to.emit(f.ledger, "InvoiceConfirmed")
          .withArgs(invoice.invoiceHash, 1n << 32n, address, f.tier1.address, invoice.invoiceNumberHash, CURRENCY, invoice.amount, invoice.maturity, 0n);
        expect(await f.ledger.nonceBitmap(address, 0n)).to.equal(1n);
      });

      it("rejects a digest the wallet did not approve", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const { address, invoice, deadline } = await walletDebtor(f);
        await expect(f.ledger.connect(f.relayer).confirmInvoiceWithSignature(invoice, 0n, deadline, "0x"))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableInvalidSigner")
          .withArgs(ethers.ZeroAddress, address);
      });
    });

    describe("when the debtor's issuance limit is exhausted", () => {
      it("reverts with RegistryIssuanceLimitExceeded", async () => {
        const f = await loadFixture(deployLedgerFixture);
        const invoice = await makeInvoice(f, { amount: ISSUANCE_LIMIT + 1n });
        const deadline = BigInt(await time.latest()) + DAY;
        const signature = await signFor(f, invoice, deadline);
        await expect(f.ledger.connect(f.relayer).confirmInvoiceWithSignature(invoice, confirmationNonceOf(invoice), deadline, signature))
          .to.be.revertedWithCustomError(f.ledger, "RegistryIssuanceLimitExceeded")
          .withArgs(f.core.address, ISSUANCE_LIMIT, ISSUANCE_LIMIT + 1n);
      });
    });
  });

  describe("confirmationDigest", () => {
    it("is the EIP-712 digest of the Confirmation the debtor signs, in the domain the server signs for", async () => {
      const f = await loadFixture(deployLedgerFixture);
      const invoice = await makeInvoice(f);
      const { chainId } = await ethers.provider.getNetwork();
      const expected = confirmationDigest(chainId, await f.ledger.getAddress(), invoice, 7n, 99n);
      expect(await f.ledger.confirmationDigest(invoice, 7n, 99n)).to.equal(expected);
      const domain = await f.ledger.eip712Domain();
      expect(domain.name).to.equal("Ledgerline Receivable");
      expect(domain.version).to.equal("1");
      expect(domain.chainId).to.equal((await ethers.provider.getNetwork()).chainId);
      expect(domain.verifyingContract).to.equal(f.ledgerAddress);
    });
  });
});

// Issue 8, item 3 (F3): nobody but the genuine parties can block an invoice. A registration is its
// supplier's own (keyed by supplier and hash) and lapses at its maturity; a hash is confirmed once, ever;
// and one invoice number of one supplier to one debtor is confirmed once, whatever the document's hash.
describe("ReceivableToken: nobody but the genuine parties can block an invoice (F3)", () => {
  /** The ledger world plus a second core enterprise (`squatterCore`), a squatter's accomplice. */
  async function twoCoresFixture() {
    const f = await deployLedgerFixture();
    await f.ledger.connect(f.operator).registerOrganisation(f.extra.address, OrganisationRole.CoreEnterprise, ethers.id("kyc:core2"));
    await f.ledger.connect(f.operator).setIssuanceLimit(f.extra.address, ISSUANCE_LIMIT);
    return { ...f, squatterCore: f.extra };
  }

  describe("a squatter registers another supplier's invoice hash", () => {
    it("naming a debtor of its choice: the genuine supplier still registers and its debtor confirms the genuine terms", async () => {
      const f = await loadFixture(twoCoresFixture);
      const genuine = await makeInvoice(f);
      // Tier 2 registers tier 1's hash naming its accomplice as the debtor.
      const squatted = { ...genuine, supplier: f.tier2.address, debtor: f.squatterCore.address, amount: 1n };
      await expect(f.ledger.connect(f.tier2).registerInvoice(squatted)).to.emit(f.ledger, "InvoiceRegistered");
      // Before issue 8: ReceivableInvoiceAlreadyRegistered here, then ReceivableInvoiceTermsMismatch on confirmation.
      await expect(f.ledger.connect(f.tier1).registerInvoice(genuine))
        .to.emit(f.ledger, "InvoiceRegistered")
        .withArgs(genuine.invoiceHash, f.tier1.address, f.core.address, genuine.invoiceNumberHash, CURRENCY, genuine.amount, genuine.maturity);
      await expect(f.ledger.connect(f.core).confirmInvoice(genuine))
        .to.emit(f.ledger, "InvoiceConfirmed")
        .withArgs(genuine.invoiceHash, 1n << 32n, f.core.address, f.tier1.address, genuine.invoiceNumberHash, CURRENCY, genuine.amount, genuine.maturity, NO_NONCE);
      // The squatter's registration is dead: the hash is confirmed, once, ever.
      await expect(f.ledger.connect(f.squatterCore).confirmInvoice(squatted))
        .to.be.revertedWithCustomError(f.ledger, "ReceivableInvoiceAlreadyConfirmed")
        .withArgs(genuine.invoiceHash);
      await expect(f.ledger.connect(f.tier2).registerInvoice({ ...squatted, maturity: squatted.maturity + 1n }))
        .to.be.revertedWithCustomError(f.ledger, "ReceivableInvoiceAlreadyConfirmed")
        .withArgs(genuine.invoiceHash);
    });

    it("naming the genuine debtor with other terms: the debtor confirms the genuine one and rejects the squatter's", async () => {
      const f = await loadFixture(deployLedgerFixture);
      const genuine = await makeInvoice(f);
      const squatted = { ...genuine, supplier: f.tier2.address, amount: genuine.amount * 2n };
      await f.ledger.connect(f.tier2).registerInvoice(squatted);
      await f.ledger.connect(f.tier1).registerInvoice(genuine);
      await expect(f.ledger.connect(f.core).confirmInvoice(genuine)).to.emit(f.ledger, "InvoiceConfirmed");
      await expect(f.ledger.connect(f.core).rejectInvoice(genuine.invoiceHash, f.tier2.address, "not our supplier's"))
        .to.emit(f.ledger, "InvoiceRejected")
        .withArgs(genuine.invoiceHash, f.tier2.address, f.core.address, "not our supplier's");
    });

    it("cannot reject the genuine registration: only the debtor it names can", async () => {
      const f = await loadFixture(twoCoresFixture);
      const genuine = await makeInvoice(f);
      await f.ledger.connect(f.tier1).registerInvoice(genuine);
      await expect(f.ledger.connect(f.squatterCore).rejectInvoice(genuine.invoiceHash, f.tier1.address, "mine"))
        .to.be.revertedWithCustomError(f.ledger, "ReceivableUnauthorized")
        .withArgs(f.squatterCore.address, asId(genuine.invoiceHash));
    });
  });

  describe("a stale registration lapses at its maturity", () => {
    it("no longer binds the debtor, and its supplier may register the hash again with new terms", async () => {
      const f = await loadFixture(deployLedgerFixture);
      const first = await makeInvoice(f, { maturity: BigInt(await time.latest()) + DAY });
      await f.ledger.connect(f.tier1).registerInvoice(first);
      await time.increaseTo(first.maturity);
      await expect(f.ledger.connect(f.core).rejectInvoice(first.invoiceHash, f.tier1.address, "late"))
        .to.be.revertedWithCustomError(f.ledger, "ReceivableInvoiceNotRegistered")
        .withArgs(first.invoiceHash, f.tier1.address);
      const renewed = { ...first, maturity: first.maturity + 30n * DAY };
      await expect(f.ledger.connect(f.tier1).registerInvoice(renewed)).to.emit(f.ledger, "InvoiceRegistered");
      await expect(f.ledger.connect(f.core).confirmInvoice(renewed)).to.emit(f.ledger, "InvoiceConfirmed");
    });

    it("a lapsed registration does not stand in the way of a confirmation on other terms", async () => {
      const f = await loadFixture(deployLedgerFixture);
      const first = await makeInvoice(f, { maturity: BigInt(await time.latest()) + DAY });
      await f.ledger.connect(f.tier1).registerInvoice(first);
      await time.increaseTo(first.maturity);
      await expect(f.ledger.connect(f.core).confirmInvoice({ ...first, maturity: first.maturity + 30n * DAY })).to.emit(f.ledger, "InvoiceConfirmed");
    });

    it("while live, it still refuses its own supplier's second registration of the hash", async () => {
      const f = await loadFixture(deployLedgerFixture);
      const invoice = await makeInvoice(f);
      await f.ledger.connect(f.tier1).registerInvoice(invoice);
      await expect(f.ledger.connect(f.tier1).registerInvoice({ ...invoice, amount: 1_000n }))
        .to.be.revertedWithCustomError(f.ledger, "ReceivableInvoiceAlreadyRegistered")
        .withArgs(invoice.invoiceHash, f.tier1.address);
    });
  });

  describe("one invoice number of one supplier to one debtor is confirmed once", () => {
    const commitment = (debtor: string, supplier: string, numberHash: string) =>
      ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["address", "address", "bytes32"], [debtor, supplier, numberHash]));

    it("refuses the same number under a second document hash with ReceivableInvoiceNumberAlreadyConfirmed(commitment, rootId)", async () => {
      const f = await loadFixture(deployLedgerFixture);
      const first = await makeInvoice(f, { invoiceNumberHash: invoiceNumberHashOf("INV-2026-001") });
      const rootId = await confirm(f, first);
      const c = commitment(f.core.address, f.tier1.address, first.invoiceNumberHash);
      expect(c).to.equal(invoiceNumberCommitment(f.core.address, f.tier1.address, first.invoiceNumberHash));
      expect(await f.ledger.rootIdOfInvoiceNumber(c)).to.equal(rootId);
      // The same number written differently (case, spaces, full-width) is the same number.
      const again = await makeInvoice(f, { invoiceNumberHash: invoiceNumberHashOf(" inv-2026-００1 ") });
      expect(again.invoiceHash).to.not.equal(first.invoiceHash);
      await expect(f.ledger.connect(f.core).confirmInvoice(again))
        .to.be.revertedWithCustomError(f.ledger, "ReceivableInvoiceNumberAlreadyConfirmed")
        .withArgs(c, rootId);
      // Registering it is refused as early.
      await expect(f.ledger.connect(f.tier1).registerInvoice(again))
        .to.be.revertedWithCustomError(f.ledger, "ReceivableInvoiceNumberAlreadyConfirmed")
        .withArgs(c, rootId);
      expect(await f.ledger.issuanceLimitOf(f.core.address)).to.deep.equal([ISSUANCE_LIMIT, first.amount]);
    });

    it("lets the same number be confirmed for another supplier, and for another debtor", async () => {
      const f = await loadFixture(twoCoresFixture);
      const numberHash = invoiceNumberHashOf("0001");
      await confirm(f, await makeInvoice(f, { invoiceNumberHash: numberHash }));
      await confirm(f, await makeInvoice(f, { invoiceNumberHash: numberHash, supplier: f.tier2.address }));
      await confirm(f, await makeInvoice(f, { invoiceNumberHash: numberHash, debtor: f.squatterCore.address }), f.squatterCore);
    });

    it("cannot be occupied by another pair: the ledger forms the commitment from the invoice's own parties", async () => {
      const f = await loadFixture(twoCoresFixture);
      const numberHash = invoiceNumberHashOf("INV-7");
      // A squatter and its accomplice confirm tier 1's number for core first ...
      await confirm(f, await makeInvoice(f, { invoiceNumberHash: numberHash, supplier: f.tier2.address, debtor: f.squatterCore.address }), f.squatterCore);
      // ... which binds only their own pair: the genuine confirmation goes through.
      await expect(f.ledger.connect(f.core).confirmInvoice(await makeInvoice(f, { invoiceNumberHash: numberHash }))).to.emit(f.ledger, "InvoiceConfirmed");
    });

    it("requires a number: a zero invoiceNumberHash reverts with ReceivableInvalidParameters", async () => {
      const f = await loadFixture(deployLedgerFixture);
      await expect(f.ledger.connect(f.core).confirmInvoice(await makeInvoice(f, { invoiceNumberHash: ethers.ZeroHash })))
        .to.be.revertedWithCustomError(f.ledger, "ReceivableInvalidParameters");
    });

    it("is signed over: a signature on one number does not confirm another", async () => {
      const f = await loadFixture(deployLedgerFixture);
      const invoice = await makeInvoice(f);
      const deadline = BigInt(await time.latest()) + DAY;
      const signature = await signFor(f, invoice, deadline);
      const other = { ...invoice, invoiceNumberHash: invoiceNumberHashOf("SOMETHING-ELSE") };
      await expect(f.ledger.connect(f.relayer).confirmInvoiceWithSignature(other, confirmationNonceOf(other), deadline, signature))
        .to.be.revertedWithCustomError(f.ledger, "ReceivableInvalidSigner")
        .withArgs(await recoveredSigner(f, other, confirmationNonceOf(other), deadline, signature), f.core.address);
    });
  });
});
