// Property-based test of the receivable ledger: random sequences of confirm / split / offer / accept /
// reject / cancel / pledge / release / raise and resolve disputes / set issuance limits / wait / suspend /
// reactivate, and of the financing and settlement hooks (finance by purchase or pledge, burn, mark overdue,
// restore issuance; a test signer holds
// FINANCING_ROLE and another SETTLEMENT_ROLE), run against the contract
// and against the plain model in test/model/ledgerModel.ts. After every step the contract must have done
// what the model did (the same custom error with the same arguments, or the same state: every
// receivable, organisation and tree), and the model's invariants must hold: tree sums (plus what was
// burnt) equal the face amount, every live token has a registered holder, parent/root links are consistent, counts match
// holdings, the issued face equals the confirmed unpaid amounts and no confirmation takes a core enterprise
// past its issuance limit, a dispute freezes its tree exactly until it is released or lapses, and a pledged
// token never moves.
// PROPERTY_RUNS=<n> runs more sequences (default 200).
import { time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import fc from "fast-check";
import type { ContractTransactionResponse } from "ethers";
import { ethers, network } from "hardhat";
import { rootIdFromReceipt, offeredIdFromReceipt } from "../scripts/ledgerStory";
import { createLedgerModel, FLAG_OFFERED, FLAG_PLEDGED, invariantViolations, OrganisationRole, type LedgerModel, type Outcome } from "./model/ledgerModel";
import { DEFAULT_DISPUTE_PERIOD } from "../scripts/deploy";
import { ISSUANCE_LIMIT, CURRENCY, DAY, deployLedgerFixture, TEST_PARAMETERS, type LedgerFixture } from "./fixtures/system";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);
const FAR_DEADLINE = 4_000_000_000n; // an explicit offer deadline (2096) keeps the model free of block times

type Pick = number;
type Step =
  | { kind: "confirm"; supplier: Pick; amount: bigint; pool: Pick }
  | { kind: "split"; token: Pick; part: Pick; byHolder: boolean; actor: Pick }
  | { kind: "offer"; token: Pick; part: Pick; to: Pick; byHolder: boolean; actor: Pick }
  | { kind: "accept" | "reject" | "cancel"; token: Pick; rightParty: boolean; actor: Pick }
  | { kind: "pledge"; token: Pick; pledgee: Pick }
  | { kind: "release"; token: Pick; byPledgee: boolean; actor: Pick }
  | { kind: "raiseDispute"; root: Pick; by: "issuer" | "operator" | "other"; actor: Pick; evidence: Pick }
  | { kind: "resolveDispute"; root: Pick; uphold: boolean; byOperator: boolean; actor: Pick }
  | { kind: "setIssuanceLimit"; limit: bigint; byOperator: boolean; actor: Pick }
  | { kind: "wait"; days: bigint }
  | { kind: "suspend" | "reactivate"; organisation: Pick }
  | { kind: "financePurchase" | "financePledge"; token: Pick; part: Pick; financier: Pick }
  | { kind: "burn"; token: Pick }
  | { kind: "markOverdue"; root: Pick }
  | { kind: "restoreIssuance"; amount: bigint; pool: Pick };

const pick = fc.nat({ max: 1_000 });
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("confirm" as const), supplier: pick, amount: fc.constantFrom(1_000n, 8_000n, 50_000n, 400_000n), pool: pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("split" as const), token: pick, part: pick, byHolder: fc.boolean(), actor: pick }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("offer" as const), token: pick, part: pick, to: pick, byHolder: fc.boolean(), actor: pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("accept" as const), token: pick, rightParty: fc.boolean(), actor: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reject" as const), token: pick, rightParty: fc.boolean(), actor: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), token: pick, rightParty: fc.boolean(), actor: pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("pledge" as const), token: pick, pledgee: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("release" as const), token: pick, byPledgee: fc.boolean(), actor: pick }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("raiseDispute" as const),
      root: pick,
      by: fc.constantFrom("issuer" as const, "operator" as const, "other" as const),
      actor: pick,
      evidence: pick,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("resolveDispute" as const), root: pick, uphold: fc.boolean(), byOperator: fc.boolean(), actor: pick }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("setIssuanceLimit" as const),
      limit: fc.constantFrom(0n, 60_000n, 500_000n, ISSUANCE_LIMIT),
      byOperator: fc.boolean(),
      actor: pick,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("wait" as const), days: fc.constantFrom(1n, 31n) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom("suspend" as const, "reactivate" as const), organisation: pick }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constantFrom("financePurchase" as const, "financePledge" as const), token: pick, part: pick, financier: pick }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("burn" as const), token: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("markOverdue" as const), root: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("restoreIssuance" as const), amount: fc.constantFrom(1_000n, 20_000n, 2_000_000n), pool: pick }) },
);

describe("ReceivableToken: properties", function () {
  let f: LedgerFixture;
  let snapshot: string;
  let parties: HardhatEthersSigner[];
  let maturity: bigint;
  let invoiceCounter = 0;
  const outcomes = new Map<string, number>();

  before(async function () {
    f = await deployLedgerFixture();
    // Stand-ins for the financing settlement and the repayment vault.
    await f.ledger.connect(f.admin).bindSystemContracts(f.relayer.address, f.extra.address);
    parties = [f.core, f.tier1, f.tier2, f.tier3, f.bankA, f.bankB, f.outsider];
    maturity = BigInt(await time.latest()) + 90n * DAY;
    snapshot = await network.provider.send("evm_snapshot");
  });

  /** A model in the state the fixture seeded. */
  function freshModel(): LedgerModel {
    const model = createLedgerModel({
      ledger: f.ledgerAddress,
      operator: f.operator.address,
      parameters: {
        minPartAmount: TEST_PARAMETERS.minPartAmount,
        maxDepth: TEST_PARAMETERS.maxDepth,
        defaultOfferWindow: BigInt(TEST_PARAMETERS.defaultOfferWindow),
      },
      allowedCurrencies: [CURRENCY],
      disputePeriod: BigInt(DEFAULT_DISPUTE_PERIOD),
    });
    const register = (s: HardhatEthersSigner, role: (typeof OrganisationRole)[keyof typeof OrganisationRole]) =>
      expectOk(model.registerOrganisation(f.operator.address, s.address, role));
    register(f.core, OrganisationRole.CoreEnterprise);
    for (const s of [f.tier1, f.tier2, f.tier3]) register(s, OrganisationRole.Supplier);
    for (const s of [f.bankA, f.bankB]) register(s, OrganisationRole.Financier);
    expectOk(model.setIssuanceLimit(f.operator.address, f.core.address, ISSUANCE_LIMIT));
    return model;
  }

  it(`keeps the contract equal to the model over ${RUNS} random sequences`, async function () {
    await fc.assert(
      // Every sequence starts from one confirmed invoice, so the other steps have something to act on.
      fc.asyncProperty(fc.array(stepArbitrary, { minLength: 3, maxLength: 12 }), async (randomSteps) => {
        const steps: Step[] = [{ kind: "confirm", supplier: 0, amount: 50_000n, pool: 0 }, ...randomSteps];
        await network.provider.send("evm_revert", [snapshot]);
        snapshot = await network.provider.send("evm_snapshot");
        const model = freshModel();
        const pledged = new Map<bigint, { holder: string; amount: bigint }>();
        for (const step of steps) {
          await play(model, step);
          const problems = invariantViolations(model);
          expect(problems, `invariants after ${JSON.stringify(step, bigintJson)}`).to.deep.equal([]);
          await compare(model, pledged);
        }
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    // PROPERTY_STATS=1 shows how often each outcome occurred, to check the steps reach every rule.
    if (process.env.PROPERTY_STATS) console.log(Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1])));
  });

  // ─── one step on both sides ──────────────────────────────────────────────────

  /** Two repayment pools of the core enterprise: the world's maturity and one second later. */
  const poolMaturity = (n: Pick) => maturity + BigInt(n % 2);

  async function play(model: LedgerModel, step: Step): Promise<void> {
    const ids = model.ids().sort((a, b) => (a < b ? -1 : 1));
    const rootIds = model.rootIds().sort((a, b) => (a < b ? -1 : 1));
    const now = BigInt(await time.latest()) + 1n;
    const party = (n: Pick) => parties[n % parties.length]!;
    const signerOf = (address: string) => parties.find((p) => p.address === address) ?? f.outsider;
    const ledger = f.ledger;

    switch (step.kind) {
      case "confirm": {
        const supplier = [f.tier1, f.tier2, f.tier3, f.bankA][step.supplier % 4]!;
        const invoice = {
          invoiceHash: ethers.id(`property invoice ${++invoiceCounter}`),
          invoiceNumberHash: ethers.id(`PROPERTY-${invoiceCounter}`),
          supplier: supplier.address,
          debtor: f.core.address,
          currency: CURRENCY,
          amount: step.amount,
          maturity: poolMaturity(step.pool),
        };
        await settle(model.confirmInvoice(f.core.address, invoice, now), ledger.connect(f.core).confirmInvoice(invoice), (logs) =>
          rootIdFromReceipt(ledger, logs),
        );
        return;
      }
      case "split":
      case "offer": {
        if (ids.length === 0) return;
        const id = ids[step.token % ids.length]!;
        const r = model.receivable(id)!;
        const caller = step.byHolder ? signerOf(r.holder) : party(step.actor);
        const amount = partOf(r.amount, step.part);
        if (step.kind === "split") {
          await settle(model.split(caller.address, id, amount, now), ledger.connect(caller).split(id, amount));
        } else {
          const to = party(step.to).address;
          await settle(
            model.offerTransfer(caller.address, id, to, amount, FAR_DEADLINE, now),
            ledger.connect(caller).offerTransfer(id, to, amount, FAR_DEADLINE),
            (logs) => offeredIdFromReceipt(ledger, logs),
          );
        }
        return;
      }
      case "accept":
      case "reject":
      case "cancel": {
        // Mostly open offers, so that acceptances happen; sometimes anything, for the errors.
        const offered = ids.filter((id) => model.receivable(id)!.flags & FLAG_OFFERED);
        const pool = offered.length > 0 && step.token % 4 !== 0 ? offered : ids;
        if (pool.length === 0) return;
        const id = pool[step.token % pool.length]!;
        const r = model.receivable(id)!;
        const right = step.kind === "cancel" ? r.holder : r.counterparty;
        const caller = step.rightParty ? signerOf(right) : party(step.actor);
        if (step.kind === "accept") await settle(model.acceptOffer(caller.address, id, now), ledger.connect(caller).acceptOffer(id));
        else if (step.kind === "reject") await settle(model.rejectOffer(caller.address, id), ledger.connect(caller).rejectOffer(id));
        else await settle(model.cancelOffer(caller.address, id), ledger.connect(caller).cancelOffer(id));
        return;
      }
      case "pledge": {
        if (ids.length === 0) return;
        const id = ids[step.token % ids.length]!;
        const holder = signerOf(model.receivable(id)!.holder);
        // Mostly banks (the only valid pledgees), sometimes anyone, for the errors.
        const pledgee = [f.bankA, f.bankB, f.bankA, f.bankB, party(step.pledgee)][step.pledgee % 5]!.address;
        await settle(model.pledge(holder.address, id, pledgee, now), ledger.connect(holder).pledge(id, pledgee));
        return;
      }
      case "release": {
        const locked = ids.filter((id) => model.receivable(id)!.flags & FLAG_PLEDGED);
        const pool = locked.length > 0 && step.token % 4 !== 0 ? locked : ids;
        if (pool.length === 0) return;
        const id = pool[step.token % pool.length]!;
        const r = model.receivable(id)!;
        const caller = step.byPledgee ? signerOf(r.counterparty) : party(step.actor);
        await settle(model.releasePledge(caller.address, id), ledger.connect(caller).releasePledge(id));
        return;
      }
      case "raiseDispute": {
        if (rootIds.length === 0) return;
        const rootId = rootIds[step.root % rootIds.length]!;
        const caller = step.by === "issuer" ? f.core : step.by === "operator" ? f.operator : party(step.actor);
        const evidence = ethers.id(`evidence ${step.evidence}`);
        await settle(model.raiseDispute(caller.address, rootId, now), ledger.connect(caller).raiseDispute(rootId, evidence));
        return;
      }
      case "resolveDispute": {
        if (rootIds.length === 0) return;
        const rootId = rootIds[step.root % rootIds.length]!;
        if (!step.byOperator) {
          // Anyone else: AccessControl's check comes first.
          const caller = party(step.actor);
          await expect(ledger.connect(caller).resolveDispute(rootId, step.uphold))
            .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, await ledger.OPERATOR_ROLE());
          return;
        }
        await settle(model.resolveDispute(rootId, step.uphold, now), ledger.connect(f.operator).resolveDispute(rootId, step.uphold));
        return;
      }
      case "setIssuanceLimit": {
        const caller = step.byOperator ? f.operator : party(step.actor);
        const expected = model.setIssuanceLimit(caller.address, f.core.address, step.limit);
        if (!expected.ok && expected.error === "AccessControlUnauthorizedAccount") {
          await expect(ledger.connect(caller).setIssuanceLimit(f.core.address, step.limit))
            .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, await ledger.OPERATOR_ROLE());
          return;
        }
        await settle(expected, ledger.connect(caller).setIssuanceLimit(f.core.address, step.limit));
        return;
      }
      case "wait":
        await time.increase(step.days * DAY);
        return;
      case "financePurchase":
      case "financePledge": {
        if (ids.length === 0) return;
        const id = ids[step.token % ids.length]!;
        const amount = partOf(model.receivable(id)!.amount, step.part);
        // Mostly banks (the only valid financiers), sometimes anyone, for the errors.
        const financier = [f.bankA, f.bankB, f.bankA, f.bankB, party(step.financier)][step.financier % 5]!.address;
        const financing = ledger.connect(f.relayer);
        if (step.kind === "financePurchase") {
          await settle(model.financePurchase(id, amount, financier, now), financing.financePurchase(id, amount, financier));
        } else {
          await settle(model.financePledge(id, amount, financier, now), financing.financePledge(id, amount, financier));
        }
        return;
      }
      case "burn": {
        if (ids.length === 0) return;
        const id = ids[step.token % ids.length]!;
        await settle(model.burn(id, now), ledger.connect(f.extra).burn(id));
        return;
      }
      case "markOverdue": {
        if (rootIds.length === 0) return;
        const rootId = rootIds[step.root % rootIds.length]!;
        await settle(model.markOverdue(rootId), ledger.connect(f.extra).markOverdue(rootId));
        return;
      }
      case "restoreIssuance": {
        // A repayment into one of the two pools closes it to further confirmations (issue 8, F9).
        const poolMaturity_ = poolMaturity(step.pool);
        await settle(
          model.restoreIssuance(f.core.address, CURRENCY, poolMaturity_, step.amount),
          ledger.connect(f.extra).restoreIssuance(f.core.address, CURRENCY, poolMaturity_, step.amount),
        );
        return;
      }
      case "suspend":
      case "reactivate": {
        const who = party(step.organisation).address;
        if (step.kind === "suspend") {
          await settle(model.suspendOrganisation(f.operator.address, who), ledger.connect(f.operator).suspendOrganisation(who));
        } else {
          await settle(model.reactivateOrganisation(f.operator.address, who), ledger.connect(f.operator).reactivateOrganisation(who));
        }
        return;
      }
    }
  }

  /** Holds the contract's outcome to the model's: the same error, or success (and the same new id). */
  async function settle<T>(
    expected: Outcome<T>,
    sent: Promise<ContractTransactionResponse>,
    newId?: (logs: readonly { topics: readonly string[]; data: string }[]) => bigint,
  ): Promise<void> {
    const outcome = expected.ok ? "ok" : expected.error;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    if (!expected.ok) {
      await expect(sent, `expected ${expected.error}(${expected.args.join(", ")})`)
        .to.be.revertedWithCustomError(f.ledger, expected.error)
        .withArgs(...expected.args);
      return;
    }
    const receipt = await (await sent).wait();
    if (newId && typeof expected.value === "bigint") expect(newId(receipt!.logs)).to.equal(expected.value);
  }

  /** The contract's whole state, read back and compared with the model's. */
  async function compare(model: LedgerModel, pledged: Map<bigint, { holder: string; amount: bigint }>) {
    const ledger = f.ledger;
    const ids = model.ids();
    const onChain = await Promise.all(ids.map((id) => Promise.all([ledger.receivableOf(id), ledger.ownerOf(id)])));
    ids.forEach((id, index) => {
      const [r, owner] = onChain[index]!;
      const m = model.receivable(id)!;
      expect(
        { holder: r.holder, amount: r.amount, rootId: r.rootId, parentId: r.parentId, depth: Number(r.depth), flags: Number(r.flags), counterparty: r.counterparty, offerDeadline: r.offerDeadline, owner },
        `receivable ${id}`,
      ).to.deep.equal({ ...m, owner: model.ownerOf(id) });
      // A pledged token never moves: its holder and amount stay as they were when it was pledged.
      const lock = pledged.get(id);
      if (Number(r.flags) & FLAG_PLEDGED) {
        if (lock) expect({ holder: r.holder, amount: r.amount }, `pledged ${id} moved`).to.deep.equal(lock);
        else pledged.set(id, { holder: r.holder, amount: r.amount });
      } else pledged.delete(id);
    });
    const organisations = await Promise.all(parties.map((p) => Promise.all([ledger.organisationOf(p.address), ledger.issuanceLimitOf(p.address)])));
    parties.forEach((p, index) => {
      const [o, [, used]] = organisations[index]!;
      const m = model.organisation(p.address);
      expect({ role: Number(o.role), active: o.active, count: o.receivableCount, used }, `organisation ${p.address}`).to.deep.equal({
        role: m.role,
        active: m.active,
        count: m.receivableCount,
        used: m.issued,
      });
    });
    for (const id of burnt(model)) {
      await expect(ledger.receivableOf(id)).to.be.revertedWithCustomError(ledger, "ReceivableNonexistent").withArgs(id);
    }
    const rootIds = model.rootIds();
    const now = BigInt(await time.latest());
    const trees = await Promise.all(rootIds.map((rootId) => Promise.all([ledger.rootOf(rootId), ledger.childCountOf(rootId)])));
    rootIds.forEach((rootId, index) => {
      const [root, childCount] = trees[index]!;
      const m = model.root(rootId)!;
      expect({ frozen: root.frozen, overdue: root.overdue, childCount }, `tree ${rootId}`).to.deep.equal({
        frozen: model.frozenAt(rootId, now),
        overdue: m.overdue,
        childCount: m.childCount,
      });
    });
  }
});

/** The ids the model has seen burnt (a tree's ids are dense, so every gap below its child count). */
function burnt(model: LedgerModel): bigint[] {
  const ids: bigint[] = [];
  for (const rootId of model.rootIds()) {
    for (let seq = 0n; seq <= model.root(rootId)!.childCount; seq++) {
      if (model.burntReceivable(rootId | seq)) ids.push(rootId | seq);
    }
  }
  return ids;
}

/** A part of `amount` chosen by `n`: none, eighths, the whole, or just around the dust limit. */
function partOf(amount: bigint, n: number): bigint {
  const min = TEST_PARAMETERS.minPartAmount;
  switch (n % 12) {
    case 9:
      return min - 1n;
    case 10:
      return amount - min + 1n;
    case 11:
      return amount + 1n;
    default:
      return (amount * BigInt(n % 9)) / 8n;
  }
}

function expectOk<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`model setup failed: ${outcome.error}`);
  return outcome.value;
}

function bigintJson(_key: string, value: unknown) {
  return typeof value === "bigint" ? value.toString() : value;
}
