/**
 * The web app's API types are generated from the OpenAPI document (`npm run web:api-types`); this fails
 * when a route or schema changed and the committed types were not regenerated.
 */
import fs from "node:fs";
import { expect } from "chai";
import { WEB_API_TYPES_FILE, webApiTypes } from "../../scripts/webApiTypes";

describe("web app: generated API types", function () {
  it("are up to date with the API's OpenAPI document (else run npm run web:api-types)", async function () {
    const expected = await webApiTypes();
    const committed = fs.readFileSync(WEB_API_TYPES_FILE, "utf8");
    expect(committed === expected, "web/src/lib/api/schema.d.ts is stale: run `npm run web:api-types` and commit it").to.equal(true);
    // Sanity: the types are of this API, not an empty document.
    expect(committed).to.include('"/v1/receivables/{id}"').and.include('"/v1/auth/browser-sessions"');
  });
});
