// Keystores are never overwritten: `npm start`'s demo keys live in their own directory, which is the only
// directory it ever empties, and writeKeystore refuses to replace any file.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadEmbeddedEnv } from "../../../server/config/embedded";
import { loadApiConfig } from "../../../server/config/api";
import { DEMO_KEYSTORE_DIR, hardhatDevKey, prepareDemoKeystoreDir } from "../../../server/signing/devKeys";
import { loadKeystore, writeKeystore } from "../../../server/signing/keystore";
import { startNodeScript } from "../../helpers/processes";

describe("keystores", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-keys-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe("writeKeystore", () => {
    it("refuses to overwrite an existing keystore file, which keeps its key", async () => {
      await writeKeystore({ dir, passphrase: "p", scryptN: 1024, keys: [{ privateKey: hardhatDevKey(5), operator: true }] });
      const before = fs.readFileSync(path.join(dir, "operator.json"), "utf8");
      let refused: unknown;
      try {
        await writeKeystore({ dir, passphrase: "p", scryptN: 1024, keys: [{ privateKey: hardhatDevKey(0), operator: true }] });
      } catch (e) {
        refused = e;
      }
      expect((refused as Error).message).to.match(/operator\.json already exists; refusing to overwrite it/);
      expect(fs.readFileSync(path.join(dir, "operator.json"), "utf8")).to.equal(before);
      const [entry] = await loadKeystore({ dir, passphrase: "p" });
      expect(entry!.wallet.privateKey).to.equal(hardhatDevKey(5));
    });
  });

  describe("the demo keystore of npm start", () => {
    it("is its own directory, not the API's default API_KEYSTORE_DIR", () => {
      expect(loadEmbeddedEnv({}).DEMO_KEYSTORE_DIR).to.equal(DEMO_KEYSTORE_DIR);
      expect(path.resolve(DEMO_KEYSTORE_DIR)).not.to.equal(path.resolve(loadApiConfig({}).API_KEYSTORE_DIR));
    });

    it("is re-created on each start when it is one npm start made", async () => {
      const demo = path.join(dir, "demo");
      prepareDemoKeystoreDir(demo);
      await writeKeystore({ dir: demo, passphrase: "run1", scryptN: 1024, keys: [{ privateKey: hardhatDevKey(0), operator: true }] });
      prepareDemoKeystoreDir(demo);
      expect(fs.readdirSync(demo).filter((f) => f.endsWith(".json"))).to.deep.equal([]);
      await writeKeystore({ dir: demo, passphrase: "run2", scryptN: 1024, keys: [{ privateKey: hardhatDevKey(0), operator: true }] });
    });

    it("refuses a directory that npm start did not make (a real keystore), leaving it untouched", async () => {
      await writeKeystore({ dir, passphrase: "real", scryptN: 1024, keys: [{ privateKey: hardhatDevKey(7), operator: true }] });
      expect(() => prepareDemoKeystoreDir(dir)).to.throw(/is not a demo keystore made by npm start; refusing to touch it/);
      expect(fs.readdirSync(dir)).to.deep.equal(["operator.json"]);
    });
  });

  describe("npm run keystore", function () {
    this.timeout(120_000);
    const run = async (args: string[], env: Record<string, string> = {}) => {
      const p = startNodeScript("keystore", "scripts/keystore.ts", { args, env: { API_KEYSTORE_DIR: dir, API_KEYSTORE_PASSPHRASE: "ops", KEYSTORE_SCRYPT_N: "1024", ...env } });
      return { code: await p.exited, output: p.output() };
    };

    it("imports an organisation's key without printing it, lists it, and refuses to import it twice", async () => {
      const key = hardhatDevKey(9);
      const imported = await run(["import"], { KEYSTORE_IMPORT_PRIVATE_KEY: key });
      expect(imported.code, imported.output).to.equal(0);
      expect(imported.output).not.to.include(key.slice(2));
      const [entry] = await loadKeystore({ dir, passphrase: "ops" });
      expect(entry!.wallet.privateKey).to.equal(key);
      expect(entry!.operator).to.equal(false);
      expect(imported.output).to.include(entry!.wallet.address);
      const again = await run(["import"], { KEYSTORE_IMPORT_PRIVATE_KEY: key });
      expect(again.code).to.equal(1);
      expect(again.output).to.match(/already exists; refusing to overwrite it/);
      const listed = await run(["list"]);
      expect(listed.output.toLowerCase()).to.include(entry!.address);
    });
  });
});
