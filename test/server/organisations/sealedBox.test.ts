/** AES-256-GCM sealing of profile fields: round trip, binding to its row, wrong key, tampering. */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { createSealedBox, SealedBoxError } from "../../../server/lib/sealedBox";

describe("sealed box (AES-256-GCM at rest)", function () {
  const box = createSealedBox(randomBytes(32));

  it("opens what it sealed, and seals the same value differently each time (random IV)", function () {
    const a = box.seal("6222020200112233445", "row:a");
    const b = box.seal("6222020200112233445", "row:a");
    expect(a).to.not.equal(b);
    expect(a).to.not.contain("6222020200112233445");
    expect(box.open(a, "row:a")).to.equal("6222020200112233445");
  });

  it("refuses a value copied into another row (associated data)", function () {
    const sealed = box.seal("secret", "row:a");
    expect(() => box.open(sealed, "row:b")).to.throw(SealedBoxError).with.property("reason", "SealedValueCorrupt");
  });

  it("refuses a tampered ciphertext", function () {
    const parts = box.seal("secret value", "row:a").split(".");
    const ct = Buffer.from(parts[4] as string, "base64url");
    ct[0] = (ct[0] as number) ^ 1;
    parts[4] = ct.toString("base64url");
    expect(() => box.open(parts.join("."), "row:a")).to.throw(SealedBoxError).with.property("reason", "SealedValueCorrupt");
  });

  it("names a value sealed under another key as such", function () {
    const other = createSealedBox(randomBytes(32));
    expect(() => box.open(other.seal("x", "row:a"), "row:a")).to.throw(SealedBoxError).with.property("reason", "SealedKeyMismatch");
  });

  it("accepts only 32-byte keys", function () {
    expect(() => createSealedBox(randomBytes(16))).to.throw(RangeError);
  });
});
