// `npm run bootstrap`: the first operator API key, once per database, delivered to a terminal or an
// owner-only file — never to captured standard output, never by an API process as a side effect.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Db } from "../../server/db/client";
import { announceDialects, freshDatabase, testDialects, type FreshDatabase } from "../server/db/fresh";
import { startNodeScript } from "../helpers/processes";

const operatorKeys = async (db: Db) => db.prisma.apiKey.findMany({ where: { subjectKind: "OPERATOR", revokedAtMs: null } });

describe("npm run bootstrap (scripts/bootstrap.ts)", function () {
  this.timeout(600_000);
  before(() => announceDialects());

  for (const dialect of testDialects()) {
    describe(`on ${dialect}`, () => {
      let fresh: FreshDatabase;
      let db: Db;
      let dir: string;
      beforeEach(async () => {
        fresh = await freshDatabase(dialect, "boot");
        db = await openDatabase({ url: fresh.url });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-boot-"));
      });
      afterEach(async () => {
        await db.close();
        await fresh.drop();
        fs.rmSync(dir, { recursive: true, force: true });
      });
      const bootstrap = async (...args: string[]) => {
        const run = startNodeScript("bootstrap", "scripts/bootstrap.ts", { env: { DATABASE_URL: fresh.url }, args });
        const code = await run.exited;
        return { code, output: run.output() };
      };

      it("writes the key to a new owner-only file, and the key is the database's one operator key", async () => {
        const file = path.join(dir, "operator.key");
        const { code, output } = await bootstrap("--out", file);
        expect(code, output).to.equal(0);
        const token = fs.readFileSync(file, "utf8").trim();
        expect(token).to.match(/^llk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
        expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
        expect(output).not.to.include(token);
        const keys = await operatorKeys(db);
        expect(keys.map((k) => k.id)).to.deep.equal([token.split("_")[1]]);
      });

      it("refuses when standard output is not a terminal and no file is given, issuing nothing", async () => {
        const { code, output } = await bootstrap();
        expect(code).to.equal(1);
        expect(output).to.match(/not a terminal/).and.not.match(/llk_/);
        expect(await operatorKeys(db)).to.have.length(0);
      });

      it("refuses a second bootstrap, and an existing file, without touching either", async () => {
        const first = path.join(dir, "first.key");
        expect((await bootstrap("--out", first)).code).to.equal(0);
        const again = await bootstrap("--out", path.join(dir, "second.key"));
        expect(again.code).to.equal(1);
        expect(again.output).to.match(/already bootstrapped: the database has 1 active operator API key/);
        expect(fs.existsSync(path.join(dir, "second.key"))).to.equal(false);
        const kept = fs.readFileSync(first, "utf8");
        const onExisting = await bootstrap("--out", first, "--force");
        expect(onExisting.code).to.equal(1);
        expect(onExisting.output).to.match(/cannot create .*EEXIST/);
        expect(fs.readFileSync(first, "utf8")).to.equal(kept);
        expect(await operatorKeys(db)).to.have.length(1);
        // Every operator key lost: --force issues another one.
        expect((await bootstrap("--out", path.join(dir, "b.key"), "--force")).code).to.equal(0);
        expect(await operatorKeys(db)).to.have.length(2);
      });

      it("issues exactly one key when two bootstraps run at once", async () => {
        const [a, b] = await Promise.all([bootstrap("--out", path.join(dir, "a.key")), bootstrap("--out", path.join(dir, "b.key"))]);
        expect([a.code, b.code].sort(), a.output + b.output).to.deep.equal([0, 1]);
        expect(a.output + b.output).to.match(/already bootstrapped/);
        expect(await operatorKeys(db)).to.have.length(1);
        expect(fs.readdirSync(dir)).to.have.length(1);
      });
    });
  }
});
