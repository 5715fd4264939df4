/**
 * The unified social credit code (统一社会信用代码) of GB 32100-2015: 18 characters from a 31-character
 * alphabet (digits and capital letters without I, O, Z, S, V) — registration authority (1), organisation
 * category (1), administrative division (6 digits), organisation code (9) — and a check character
 * computed over the first 17 with weights 3^(i-1) mod 31. A single wrong character always changes the
 * weighted sum mod 31 (31 is prime and no weight is 0), so every typo of one character is caught.
 *
 * Pure functions, no I/O: used by the request schemas, the seed and the tests alike.
 */

/** The code's alphabet; a character's value is its index. */
export const CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

export type CreditCodeProblem =
  /** Not 18 characters, a character outside the alphabet, or a non-digit in the division code. */
  | { reason: "CreditCodeMalformed"; message: string }
  /** Well formed, but the 18th character is not the check character of the first 17. */
  | { reason: "CreditCodeCheckMismatch"; message: string };

/** The check character of the first 17 characters of a code (which must be in the alphabet). */
export function creditCodeCheckCharacter(first17: string): string {
  if (first17.length !== 17) throw new RangeError("a credit code's body is 17 characters");
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CREDIT_CODE_ALPHABET.indexOf(first17[i] as string);
    if (value < 0) throw new RangeError(`"${first17[i]}" is not a credit code character`);
    sum += value * (WEIGHTS[i] as number);
  }
  return CREDIT_CODE_ALPHABET[(31 - (sum % 31)) % 31] as string;
}

/** Why `code` is not a valid unified social credit code, or undefined when it is. Case-sensitive: codes are upper case. */
export function creditCodeProblem(code: string): CreditCodeProblem | undefined {
  if (code.length !== 18) return { reason: "CreditCodeMalformed", message: `a unified social credit code has 18 characters, not ${code.length}` };
  for (let i = 0; i < 18; i++) {
    const c = code[i] as string;
    if (!CREDIT_CODE_ALPHABET.includes(c)) {
      return { reason: "CreditCodeMalformed", message: `character ${i + 1} ("${c}") is not one of ${CREDIT_CODE_ALPHABET} (GB 32100-2015)` };
    }
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) {
    return { reason: "CreditCodeMalformed", message: "characters 3-8 (the administrative division code) must be digits" };
  }
  const expected = creditCodeCheckCharacter(code.slice(0, 17));
  if (code[17] !== expected) {
    return { reason: "CreditCodeCheckMismatch", message: `the check character (18th) does not match the first 17 characters (GB 32100-2015)` };
  }
  return undefined;
}

export function isValidCreditCode(code: string): boolean {
  return creditCodeProblem(code) === undefined;
}
