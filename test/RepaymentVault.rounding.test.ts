import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { FinancingMode } from "../scripts/financingStory";
import { confirm, finance, fixturesByDecimals, toMaturity, transfer, type System } from "./fixtures/settlement";

// Shortfall arithmetic with settlement tokens of 0, 6 and 18 decimals: every payout is
// floor(amount * deposited / face) minus what was paid before, so no rounding can create a base unit,
// and at full funding every receivable is paid exactly its amount, so none is lost.

/** Splits a root of `parts` summed into one pool, held by tier 1, tier 2 and tier 3. */
async function poolOfParts(sys: System, parts: [bigint, bigint, bigint]) {
  const face = parts[0] + parts[1] + parts[2];
  const rootId = await confirm(sys, sys.tier1, face);
  const id2 = await transfer(sys, sys.tier1, sys.tier2, rootId, parts[1] + parts[2]);
  const id3 = await transfer(sys, sys.tier2, sys.tier3, id2, parts[2]);
  return {
    face,
    holdings: [
      { id: rootId, holder: sys.tier1, amount: parts[0] },
      { id: id2, holder: sys.tier2, amount: parts[1] },
      { id: id3, holder: sys.tier3, amount: parts[2] },
    ],
  };
}

for (const decimals of [0, 6, 18] as const) {
  describe(`RepaymentVault rounding with ${decimals} decimals`, function () {
    const fixture = fixturesByDecimals[decimals];

    it("carries sub-unit remainders until full funding pays them out", async function () {
      const sys = await loadFixture(fixture);
      // Three receivables of one base unit each: any partial deposit is worth less than a unit to each.
      const { face, holdings } = await poolOfParts(sys, [1n, 1n, 1n]);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 2n);
      await toMaturity(sys);
      for (const h of holdings) {
        await expect(sys.vault.connect(h.holder).redeem(h.id)).to.be.revertedWithCustomError(sys.vault, "VaultNothingToRedeem").withArgs(h.id);
      }
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, face - 2n);
      for (const h of holdings) {
        await expect(sys.vault.connect(h.holder).redeem(h.id)).to.changeTokenBalance(sys.cash, h.holder, 1n);
      }
      expect(await sys.cash.balanceOf(await sys.vault.getAddress())).to.equal(0n);
    });

    it("never pays more than was deposited, and pays every base unit at full funding", async function () {
      const sys = await loadFixture(fixture);
      const u = sys.unit;
      // Odd amounts so that each step leaves remainders: about 3.33, 2.22 and 1.11 units plus stray base units.
      const parts: [bigint, bigint, bigint] = [(10n * u) / 3n + 1n, (20n * u) / 9n + 7n, (10n * u) / 9n + 3n];
      const { face, holdings } = await poolOfParts(sys, parts);
      const deposits = [face / 7n + 1n, face / 3n + 2n, face / 11n + 5n];
      deposits.push(face - deposits.reduce((a, b) => a + b, 0n));
      await toMaturity(sys);

      let deposited = 0n;
      let paidOut = 0n;
      const paid = holdings.map(() => 0n);
      for (const amount of deposits) {
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, amount);
        deposited += amount;
        for (const [i, h] of holdings.entries()) {
          const entitled = (h.amount * deposited) / face;
          const due = entitled - paid[i]!;
          if (due === 0n) {
            await expect(sys.vault.connect(h.holder).redeem(h.id)).to.be.revertedWithCustomError(sys.vault, "VaultNothingToRedeem");
            continue;
          }
          await expect(sys.vault.connect(h.holder).redeem(h.id)).to.changeTokenBalance(sys.cash, h.holder, due);
          paid[i] = entitled;
          paidOut += due;
          expect((await sys.vault.claimOf(h.id))[0]).to.equal(deposited === face ? 0n : entitled);
        }
        expect(paidOut).to.be.at.most(deposited);
        expect(await sys.cash.balanceOf(await sys.vault.getAddress())).to.equal(deposited - paidOut);
      }
      expect(paid).to.deep.equal(holdings.map((h) => h.amount));
      expect(paidOut).to.equal(face);
      expect(await sys.cash.balanceOf(await sys.vault.getAddress())).to.equal(0n);
      for (const h of holdings) {
        await expect(sys.ledger.receivableOf(h.id)).to.be.revertedWithCustomError(sys.ledger, "ReceivableNonexistent").withArgs(h.id);
      }
    });

    it("splits a pledged receivable's partial payouts between pledgee and holder without losing a unit", async function () {
      const sys = await loadFixture(fixture);
      const u = sys.unit;
      const amount = 3n * u + 1n;
      const rootId = await confirm(sys, sys.tier1, amount);
      const owed = 2n * u + 1n;
      await finance(sys, { receivableId: rootId, holder: sys.tier1, financier: sys.bankB, amount, mode: FinancingMode.Pledge, advance: 2n * u, repayment: owed });
      const before = { bank: await sys.cash.balanceOf(sys.bankB.address), holder: await sys.cash.balanceOf(sys.tier1.address) };
      await time.increaseTo(sys.maturity);
      for (const d of [amount / 3n, amount / 3n, amount - 2n * (amount / 3n)]) {
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, d);
        await sys.vault.connect(sys.tier1).redeem(rootId);
      }
      expect((await sys.cash.balanceOf(sys.bankB.address)) - before.bank).to.equal(owed);
      expect((await sys.cash.balanceOf(sys.tier1.address)) - before.holder).to.equal(amount - owed);
      expect(await sys.cash.balanceOf(await sys.vault.getAddress())).to.equal(0n);
    });
  });
}
