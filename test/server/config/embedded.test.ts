import { expect } from "chai";
import { ConfigError } from "../../../server/config/env";
import { loadEmbeddedEnv } from "../../../server/config/embedded";

describe("embedded system configuration (npm start)", () => {
  it("defaults the local node to port 8545", () => {
    expect(loadEmbeddedEnv({}).CHAIN_PORT).to.equal(8545);
  });

  it("takes a port from CHAIN_PORT", () => {
    expect(loadEmbeddedEnv({ CHAIN_PORT: "9545" }).CHAIN_PORT).to.equal(9545);
  });

  for (const bad of ["abc", "0", "70000", "-1", "85.45"]) {
    it(`refuses CHAIN_PORT=${bad}, naming the variable`, () => {
      expect(() => loadEmbeddedEnv({ CHAIN_PORT: bad }))
        .to.throw(ConfigError)
        .with.property("message")
        .that.matches(/CHAIN_PORT/);
    });
  }
});
