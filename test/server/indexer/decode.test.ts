// The fast event decoder agrees with ethers' decoder on every log the contracts emit in the story,
// and refuses malformed logs instead of guessing.
import { expect } from "chai";
import { network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { createDecoder } from "../../../server/indexer/decode";
import { loadInterface } from "../../../server/lib/abi";
import { UnknownLogError } from "../../../server/lib/errors";
import { createRpc, type RawLog } from "../../../server/lib/rpc";
import { toJson } from "../../../server/lib/encode";
import { deploymentOf } from "./helpers";
import { everyEventFixture } from "./scenario";

describe("indexer: event decoding", function () {
  it("decodes every log of the story exactly as ethers does", async function () {
    const sys = await loadFixture(everyEventFixture);
    const { contracts } = await deploymentOf(sys);
    const rpc = createRpc(network.provider);
    const logs = await rpc.logsInRange(0, await rpc.blockNumber(), Object.values(contracts));
    expect(logs.length).to.be.greaterThan(100);
    const fast = createDecoder(contracts, loadInterface, { fast: true });
    const slow = createDecoder(contracts, loadInterface, { fast: false });
    for (const l of logs) expect(toJson(fast.decode(l)), `log ${l.logIndex} of ${l.transactionHash}`).to.equal(toJson(slow.decode(l)));
  });

  describe("refuses malformed logs", function () {
    let log: RawLog;
    let contracts: Record<string, string>;
    before(async function () {
      const sys = await loadFixture(everyEventFixture);
      contracts = (await deploymentOf(sys)).contracts;
      const rpc = createRpc(network.provider);
      const logs = await rpc.logsInRange(0, await rpc.blockNumber(), [contracts.ReceivableToken!]);
      const confirmed = sys.ledger.interface.getEvent("InvoiceConfirmed").topicHash;
      log = logs.find((l) => l.topics[0] === confirmed)!;
    });
    const decode = (l: RawLog) => {
      try {
        createDecoder(contracts).decode(l);
        return undefined;
      } catch (e) {
        return e;
      }
    };

    it("with a missing topic", function () {
      expect(decode({ ...log, topics: log.topics.slice(0, 3) })).to.be.instanceOf(UnknownLogError);
    });
    it("with dirty high bits in an address word", function () {
      const data = log.data.slice(0, 2) + "ff" + log.data.slice(4); // first data word is the supplier address
      expect(decode({ ...log, data })).to.be.instanceOf(UnknownLogError);
    });
    it("with short data", function () {
      expect(decode({ ...log, data: log.data.slice(0, log.data.length - 64) })).to.be.instanceOf(UnknownLogError);
    });
    it("with a uint64 word out of range", function () {
      // words: supplier, invoiceNumberHash, currency, amount, maturity (uint64), nonce
      const words = log.data.slice(2).match(/.{64}/g)!;
      words[4] = "ff".repeat(32);
      expect(decode({ ...log, data: "0x" + words.join("") })).to.be.instanceOf(UnknownLogError);
    });
    it("with an unknown topic", function () {
      expect(decode({ ...log, topics: ["0x" + "ab".repeat(32), ...log.topics.slice(1)] })).to.be.instanceOf(UnknownLogError);
    });
  });
});
