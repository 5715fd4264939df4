/**
 * The unified social credit code validator (GB 32100-2015), property-tested: every code built with the
 * right check character is accepted, and every single-character change of a valid code is rejected.
 */
import { expect } from "chai";
import fc from "fast-check";
import { CREDIT_CODE_ALPHABET, creditCodeCheckCharacter, creditCodeProblem, isValidCreditCode } from "../../../server/domain/organisations/creditCode";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);
const ch = fc.constantFrom(...CREDIT_CODE_ALPHABET.split(""));
const digit = fc.constantFrom(..."0123456789".split(""));
/** The first 17 characters of a code: authority, category, 6-digit division code, 9-character organisation code. */
const body = fc.tuple(ch, ch, fc.array(digit, { minLength: 6, maxLength: 6 }), fc.array(ch, { minLength: 9, maxLength: 9 })).map(([a, b, division, org]) => `${a}${b}${division.join("")}${org.join("")}`);
const validCode = body.map((b) => b + creditCodeCheckCharacter(b));
/** Any character a user could type instead: the alphabet, the letters it leaves out, lower case, punctuation, CJK. */
const anyCharacter = fc.oneof(ch, fc.constantFrom(..."IOZSVabcxyz -_.０一"), fc.string({ minLength: 1, maxLength: 1 }));

describe("unified social credit code (GB 32100-2015)", function () {
  describe("known codes", function () {
    // Published on business licences of well-known companies (Hangzhou, Shenzhen, Beijing): real codes, check characters included.
    for (const code of ["91330100716105852F", "9144030071526726XG", "914403001922038216", "91110108551385082Q"]) {
      it(`accepts ${code}`, function () {
        expect(creditCodeProblem(code)).to.equal(undefined);
      });
    }

    it("computes the check character of a known code from its first 17 characters", function () {
      expect(creditCodeCheckCharacter("9144030071526726X")).to.equal("G");
      expect(creditCodeCheckCharacter("91330100716105852")).to.equal("F");
    });

    it("rejects a wrong check character as CreditCodeCheckMismatch", function () {
      expect(creditCodeProblem("91330100716105852E")?.reason).to.equal("CreditCodeCheckMismatch");
    });

    it("rejects wrong lengths, letters outside the alphabet, lower case and a non-digit division code as CreditCodeMalformed", function () {
      for (const code of ["", "91330100716105852", "91330100716105852FF", "91330100716105852f", "9133010071610585IF", "91A30100716105852F", " 91330100716105852F"]) {
        expect(creditCodeProblem(code)?.reason, code).to.equal("CreditCodeMalformed");
      }
    });
  });

  describe("properties", function () {
    it("accepts every code whose 18th character is the check character of the first 17", function () {
      fc.assert(fc.property(validCode, (code) => isValidCreditCode(code)), { numRuns: RUNS * 5 });
    });

    it("rejects every single-character change of a valid code (exhaustively over the alphabet at every position)", function () {
      fc.assert(
        fc.property(validCode, (code) => {
          for (let i = 0; i < 18; i++) {
            for (const c of CREDIT_CODE_ALPHABET) {
              if (c === code[i]) continue;
              const changed = code.slice(0, i) + c + code.slice(i + 1);
              if (isValidCreditCode(changed)) return false;
            }
          }
          return true;
        }),
        { numRuns: RUNS },
      );
    });

    it("rejects a valid code with any one character replaced by anything else", function () {
      fc.assert(
        fc.property(validCode, fc.integer({ min: 0, max: 17 }), anyCharacter, (code, i, c) => {
          fc.pre(c !== code[i]);
          return !isValidCreditCode(code.slice(0, i) + c + code.slice(i + 1));
        }),
        { numRuns: RUNS * 5 },
      );
    });

    it("rejects a valid code with a character dropped or added", function () {
      fc.assert(
        fc.property(validCode, fc.integer({ min: 0, max: 17 }), ch, (code, i, c) => !isValidCreditCode(code.slice(0, i) + code.slice(i + 1)) && !isValidCreditCode(code.slice(0, i) + c + code.slice(i))),
        { numRuns: RUNS },
      );
    });
  });
});
