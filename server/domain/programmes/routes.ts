// Routes of risk-sharing programmes (issue 13 item 8): what each programme's participants see, and the
// export funders report from. Reads only: programmes are run on chain (RiskProgramme).
import { z } from "zod";
import { defineRoute, type AnyRoute } from "../../api/route";
import { ACCESS_ROLES } from "../../auth/principal";
import { toCsv } from "../audit/routes";
import { ENROLMENT_COLUMNS, Enrolment, EnrolmentsQuery, Programme, ProgrammeParams, ProgrammePosition } from "./schemas";
import type { ProgrammeService } from "./service";

export function programmeRoutes(service: ProgrammeService): AnyRoute[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/programmes",
      operationId: "listProgrammes",
      summary: "Risk-sharing programmes the caller takes part in (funder, participating financier, whitelisted enterprise, party to an enrolment); all for the operator and the auditor",
      tags: ["programmes"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      response: { status: 200, description: "Programmes", schema: z.object({ items: z.array(Programme) }) },
      handler: async ({ principal }) => service.list(principal),
    }),
    defineRoute({
      method: "get",
      path: "/v1/programmes/{id}",
      operationId: "programmePosition",
      summary: "A programme's pool and every position in it, per funder, per financier and per enterprise (participants only)",
      tags: ["programmes"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      params: ProgrammeParams,
      response: { status: 200, description: "The programme's position", schema: ProgrammePosition },
      errors: [404],
      handler: async ({ principal, params }) => service.position(principal, params.id.toString()),
    }),
    defineRoute({
      method: "get",
      path: "/v1/programmes/{id}/enrolments",
      operationId: "programmeEnrolments",
      summary: "A programme's enrolled financings, as JSON or CSV for the funders' reporting (participants only)",
      tags: ["programmes"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      params: ProgrammeParams,
      query: EnrolmentsQuery,
      response: { status: 200, description: "application/json ({ items: ProgrammeEnrolment[] }) or text/csv", contentType: "application/json" },
      errors: [404],
      handler: async ({ principal, params, query, res }) => {
        const items = await service.enrolments(principal, params.id.toString());
        if (query.format === "json") {
          res.status(200).json({ items: z.array(Enrolment).parse(items) });
          return;
        }
        res.setHeader("Content-Disposition", `attachment; filename="programme-${params.id.toString()}-enrolments.csv"`);
        res.status(200).type("text/csv").send(toCsv(ENROLMENT_COLUMNS, items.map(({ enrolment: _struct, ...row }) => row)));
      },
    }),
  ];
}
