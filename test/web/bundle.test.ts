/** The web app's first load stays within its budget: JS + CSS ≤ 250 KB gzip (screens load lazily). */
import { expect } from "chai";
import { FIRST_LOAD_BUDGET_BYTES, measureFirstLoad } from "../../bench/webSize";
import { buildWebApp, WEB_DIST } from "./browser";

describe("web app: first-load size", function () {
  it("is at most 250 KB of gzip JS + CSS, with each role's screens in lazy chunks", function () {
    buildWebApp();
    const result = measureFirstLoad(WEB_DIST);
    expect(result.files.some((f) => f.file.endsWith(".js")) && result.files.some((f) => f.file.endsWith(".css"))).to.equal(true);
    expect(result.totalGzip, JSON.stringify(result.files)).to.be.at.most(FIRST_LOAD_BUDGET_BYTES);
    expect(result.lazy.map((f) => f.file).join(" ")).to.match(/HoldingsPage/);
  });
});
