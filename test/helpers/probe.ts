// A public GET route standing in for every domain read of indexed data (those the projection guard wraps).
import { z } from "zod";
import { defineRoute } from "../../server/api/route";

export const probeRoute = defineRoute({
  method: "get",
  path: "/v1/probe",
  operationId: "probe",
  summary: "a read of indexed data",
  tags: ["test"],
  access: { kind: "public" },
  response: { status: 200, description: "ok", schema: z.object({ ok: z.boolean() }) },
  handler: async () => ({ ok: true }),
});
