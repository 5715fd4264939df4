// The indexer's foundations: the one encode module (uint256 ↔ bigint ↔ decimal text, addresses) and
// configuration parsing that names the bad variable.
import { expect } from "chai";
import fc from "fast-check";
import { loadIndexerConfig } from "../../../server/config/indexer";
import { loadDatabaseConfig } from "../../../server/config/database";
import { loadChainEnv } from "../../../server/config/chain";
import { ConfigError } from "../../../server/config/env";
import { INDEXED_CONTRACTS, loadDeployment } from "../../../server/lib/deployment";
import { compareDecimal, EncodeError, fromDecimal, MAX_UINT256, toAddress, toDecimal, fromQuantity, toJson } from "../../../server/lib/encode";

const uint256 = fc.bigInt({ min: 0n, max: MAX_UINT256 });

describe("indexer foundations", function () {
  describe("encode", function () {
    it("round-trips every uint256 through canonical decimal text", function () {
      fc.assert(fc.property(uint256, (x) => fromDecimal(toDecimal(x)) === x && toDecimal(x) === x.toString(10)));
    });

    it("orders canonical decimals numerically (as ORDER BY length(col), col does)", function () {
      fc.assert(fc.property(uint256, uint256, (a, b) => Math.sign(compareDecimal(toDecimal(a), toDecimal(b))) === (a < b ? -1 : a > b ? 1 : 0)));
    });

    for (const bad of ["", "-1", "01", "1.0", "1e3", " 1", "0x10", (MAX_UINT256 + 1n).toString()]) {
      it(`refuses "${bad.length > 20 ? bad.slice(0, 20) + "…" : bad}" as a uint256 decimal`, function () {
        expect(() => fromDecimal(bad)).to.throw(EncodeError);
      });
    }

    it("refuses values outside uint256 when encoding", function () {
      expect(() => toDecimal(-1n)).to.throw(EncodeError);
      expect(() => toDecimal(MAX_UINT256 + 1n)).to.throw(EncodeError);
    });

    it("spells addresses lower-case and refuses bad checksums", function () {
      expect(toAddress("0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266")).to.equal("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
      expect(() => toAddress("0xF39fd6e51aad88F6F4ce6aB8827279cffFb92266")).to.throw(EncodeError); // one case flipped
      expect(() => toAddress("0x1234")).to.throw(EncodeError);
    });

    it("reads JSON-RPC quantities and writes bigints as decimal strings in JSON", function () {
      expect(fromQuantity("0x1a")).to.equal(26n);
      expect(() => fromQuantity("26")).to.throw(EncodeError);
      expect(toJson({ a: MAX_UINT256 })).to.equal(`{"a":"${MAX_UINT256.toString()}"}`);
    });
  });

  describe("config", function () {
    it("has defaults for the embedded system", function () {
      expect(loadIndexerConfig({})).to.deep.include({ confirmations: 0, reorgWindow: 64, batchLogs: 2000 });
      expect(loadDatabaseConfig({}).url).to.equal("file:./data/ledgerline.db");
      expect(loadChainEnv({}).RPC_URL).to.equal("http://127.0.0.1:8545");
    });

    it("names every bad variable and its value", function () {
      const err = (() => {
        try {
          loadIndexerConfig({ CONFIRMATIONS: "-2", REORG_WINDOW: "0" });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err).to.be.instanceOf(ConfigError);
      expect(err!.message).to.contain('CONFIRMATIONS: must be a non-negative integer (got "-2")');
      expect(err!.message).to.contain("REORG_WINDOW");
    });

    it("refuses a DATABASE_URL of an unknown kind and a malformed contract address", function () {
      expect(() => loadDatabaseConfig({ DATABASE_URL: "mysql://x" })).to.throw(ConfigError, /DATABASE_URL: must start with file:/);
      expect(() => loadChainEnv({ RECEIVABLE_TOKEN_ADDRESS: "0x12" })).to.throw(ConfigError, /RECEIVABLE_TOKEN_ADDRESS/);
    });

    it("takes every indexed contract's address from the environment when there is no deployment record", function () {
      const addresses = Object.fromEntries(INDEXED_CONTRACTS.map((name, i) => [name, `0x${String(i + 1).repeat(40)}`]));
      const deployment = loadDeployment(
        loadChainEnv({
          RECEIVABLE_TOKEN_ADDRESS: addresses.ReceivableToken,
          FINANCING_SETTLEMENT_ADDRESS: addresses.FinancingSettlement,
          REPAYMENT_VAULT_ADDRESS: addresses.RepaymentVault,
          RISK_PROGRAMME_ADDRESS: addresses.RiskProgramme,
          START_BLOCK: "7",
        }),
      );
      expect(deployment).to.deep.include({ startBlock: 7, contracts: addresses });
    });
  });
});
