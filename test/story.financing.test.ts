import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { playFinancingStory } from "../scripts/financingStory";
import { deploySystemFixture } from "./fixtures/settlement";

// The story end to end, played by the same code `npm start` runs: a core enterprise confirms
// 1,000,000.00; tier 1 keeps 600,000 and passes 400,000 to tier 2; tier 2 passes 100,000 to tier 3;
// tier 3 sells to bank A, tier 2 pledges 200,000 to bank B; the core enterprise repays at maturity;
// everyone redeems; every balance ends exactly where it should.
describe("financing story", function () {
  async function storyFixture() {
    const sys = await loadFixture(deploySystemFixture);
    const lines: string[] = [];
    const result = await playFinancingStory({
      ledger: sys.ledger,
      financing: sys.financing,
      vault: sys.vault,
      settlementToken: sys.cash,
      parties: { operator: sys.operator, core: sys.core, tier1: sys.tier1, tier2: sys.tier2, tier3: sys.tier3, bankA: sys.bankA, bankB: sys.bankB },
      provider: ethers.provider,
      log: (line) => lines.push(line),
    });
    return { ...sys, result, lines };
  }

  it("moves every party's cash by exactly what the deals say", async function () {
    const { result, unit } = await loadFixture(storyFixture);
    const change = Object.fromEntries(result.balances.map((r) => [r.party, r.change]));
    expect(change).to.deep.equal({
      "core enterprise": -1_000_000n * unit,
      "tier 1": 600_000n * unit,
      "tier 2": (190_000n + 100_000n + 5_000n) * unit,
      "tier 3": 98_500n * unit,
      "bank A": 1_500n * unit,
      "bank B": 5_000n * unit,
      "repayment vault": 0n,
    });
    expect(result.balanced).to.equal(true);
  });

  it("creates and destroys no money: the changes sum to zero", async function () {
    const { result } = await loadFixture(storyFixture);
    expect(result.balances.reduce((sum, r) => sum + r.change, 0n)).to.equal(0n);
  });

  it("leaves no receivable alive and the core enterprise's credit fully restored", async function () {
    const { result, ledger, core, vault, currency } = await loadFixture(storyFixture);
    for (const id of Object.values(result.ids)) {
      await expect(ledger.receivableOf(id)).to.be.revertedWithCustomError(ledger, "ReceivableNonexistent").withArgs(id);
    }
    expect((await ledger.issuanceLimitOf(core.address))[1]).to.equal(0n);
    const [face, deposited] = await vault.poolOf(core.address, currency, result.maturity);
    expect(deposited).to.equal(face);
  });

  it("traces every receivable to the confirmed root", async function () {
    const { result } = await loadFixture(storyFixture);
    const rootOf = (id: bigint) => id & ~0xffffffffn;
    expect(Object.values(result.ids).map(rootOf)).to.deep.equal(Object.values(result.ids).map(() => result.rootId));
  });

  it("prints the final balances table", async function () {
    const { result, lines } = await loadFixture(storyFixture);
    expect(result.table).to.contain("| tier 2 | 0.00 | 295,000.00 | 295,000.00 | 295,000.00 |");
    expect(result.table).to.contain("| bank A | 10,098,500.00 | 10,100,000.00 | 1,500.00 | 1,500.00 |");
    expect(lines.at(-1)).to.equal("every balance ended exactly where it should");
  });
});
