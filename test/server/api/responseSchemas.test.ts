import { expect } from "chai";
import request from "supertest";
import { z } from "zod";
import { defineRoute } from "../../../server/api/route";
import { createHarness, type Harness } from "./harness";

describe("API harness: response schema check", function () {
  let h: Harness;
  before(async function () {
    h = await createHarness({
      domainRoutes: [
        defineRoute({
          method: "get",
          path: "/v1/test/conforming",
          operationId: "testConforming",
          summary: "answers what it declares",
          tags: ["test"],
          access: { kind: "public" },
          response: { status: 200, description: "ok", schema: z.object({ amount: z.string() }) },
          handler: async () => ({ amount: "1" }),
        }),
        defineRoute({
          method: "get",
          path: "/v1/test/nonconforming",
          operationId: "testNonconforming",
          summary: "answers something else than it declares",
          tags: ["test"],
          access: { kind: "public" },
          response: { status: 200, description: "ok", schema: z.object({ amount: z.string() }) },
          // A number where the schema says decimal string: exactly the drift the check exists to catch.
          handler: async () => ({ amount: 1 }) as unknown as { amount: string },
        }),
      ],
    });
  });
  after(async function () {
    await h.close();
  });

  it("passes a 2xx body that matches the route's response schema", async function () {
    const res = await request(h.app).get("/v1/test/conforming");
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ amount: "1" });
  });

  it("turns a 2xx body that does not match into a 500 naming the route and the field", async function () {
    const res = await request(h.app).get("/v1/test/nonconforming");
    expect(res.status).to.equal(500);
    expect(res.body.error.code).to.equal("ResponseSchemaViolation");
    expect(res.body.error.details.route).to.equal("GET /v1/test/nonconforming");
    expect(res.body.error.details.issues[0].path).to.equal("amount");
    expect(h.responseViolations).to.have.length(1);
    h.responseViolations.length = 0;
  });

  it("leaves error answers alone (they follow the error schema, not the route's)", async function () {
    const res = await request(h.app).get("/v1/test/missing");
    expect(res.status).to.equal(404);
    expect(h.responseViolations).to.have.length(0);
  });
});
