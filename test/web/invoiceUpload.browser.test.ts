/**
 * A supplier registers an invoice in Chromium: field errors before anything is sent, the document's
 * keccak256 computed in the browser becomes the invoice hash, the server stores the document only because
 * its own hash agrees, and the page shows the two side by side. The core enterprise then sees it waiting.
 */
import { expect } from "chai";
import { keccak256 } from "ethers";
import request from "supertest";
import { bearer, chainNow } from "../server/api/world";
import { browserAvailable, DEMO_NAMES, expectAccessible, signInAsDemo, startWebSystem, type WebSystem } from "./browser";

describe("web app in Chromium: a supplier registers an invoice with its document", function () {
  let sys: WebSystem;

  before(async function () {
    if (!browserAvailable()) this.skip();
    sys = await startWebSystem();
  });

  after(async function () {
    await sys?.close();
  });

  it("checks the fields first, hashes the document in the browser, and the server's hash agrees", async function () {
    const { page, errors, context } = await sys.context("en");
    try {
      const sent: string[] = [];
      page.on("request", (r) => {
        if (r.method() !== "GET" && new URL(r.url()).pathname.startsWith("/v1/invoices")) sent.push(`${r.method()} ${new URL(r.url()).pathname}`);
      });
      await signInAsDemo(page, DEMO_NAMES.tier3);
      await page.getByRole("link", { name: "Register an invoice" }).click();
      await page.getByRole("heading", { name: "Register an invoice" }).waitFor();
      await page.getByRole("button", { name: "Register and upload" }).click();
      await page.getByText("Choose the core enterprise that owes the invoice").waitFor();
      await page.getByText("Enter an amount above zero with at most 2 decimals").waitFor();
      await page.getByText("Choose a due date after the chain's current time").waitFor();
      await page.getByText("Enter the invoice number").waitFor();
      await page.getByText("Choose the invoice document: its hash is the invoice hash").waitFor();
      expect(sent).to.deep.equal([]);
      await expectAccessible(page, "register an invoice (en)");

      const document = Buffer.from(`%PDF-1.4\nInvoice INV-WEB-1 from ${DEMO_NAMES.tier3}: 120 castings\n%%EOF\n`);
      const expected = keccak256(document);
      await page.locator('input[type="file"]').setInputFiles({ name: "INV-WEB-1.pdf", mimeType: "application/pdf", buffer: document });
      await page.getByText(expected).waitFor();
      await page.getByRole("combobox", { name: "Debtor (core enterprise)" }).selectOption({ label: DEMO_NAMES.core });
      await page.getByRole("textbox", { name: "Face amount" }).fill("1,250.50");
      // 120 days after the chain's clock (earlier suites may have moved it ahead of the wall clock).
      const due = new Date(((await chainNow()) + 120 * 86_400) * 1000).toISOString().slice(0, 10);
      await page.getByLabel("Due date").fill(due);
      await page.getByRole("textbox", { name: "Invoice number" }).fill("INV-WEB-1");
      await page.getByRole("button", { name: "Register and upload" }).click();
      const check = page.getByRole("status", { name: "Document check" });
      await check.waitFor({ timeout: 45_000 });
      expect(await check.textContent()).to.equal(`The server stored the document and computed the same hash: ${expected}`);
      expect(sent).to.deep.equal(["POST /v1/invoices", `PUT /v1/invoices/${expected}/document`]);

      const invoice = (await request(sys.w.h.app).get(`/v1/invoices/${expected}`).set(...bearer(sys.w.core)).expect(200)).body;
      expect(invoice).to.include({ status: "REGISTERED", amount: "125050", invoiceNumber: "INV-WEB-1", supplier: sys.w.tier3.address });
      expect(invoice.document).to.include({ uploaded: true, sizeBytes: document.length });
      const stored = await request(sys.w.h.app).get(`/v1/invoices/${expected}/document`).set(...bearer(sys.w.core)).buffer(true).parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => done(null, Buffer.concat(chunks)));
      });
      expect(Buffer.compare(stored.body as Buffer, document)).to.equal(0);
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });
});
