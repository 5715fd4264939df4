/**
 * The checks of a Sign-In with Ethereum (EIP-4361) message, shared by sign-in (`auth/service.ts`) and by
 * self-registration (`domain/organisations/onboarding.ts`): the one-time nonce is consumed first —
 * whatever the outcome, so a message can be presented once only — then the domain, the chain id, the
 * validity window and the signature. Answers the signing address; what it is good for is the caller's.
 */
import { getAddress } from "ethers";
import { SiweMessage } from "siwe";
import { UnauthorizedError, ValidationError } from "../lib/appErrors";

export interface SiweCheck {
  message: string;
  signature: string;
  /** The domain (host[:port]) the message must name. */
  domain: string;
  chainId?: number;
  now: Date;
  /** Marks the nonce used; true only for the one caller that found it unused and unexpired. */
  consumeNonce(nonce: string, now: Date): Promise<boolean>;
  /** The request field the message came in, for a 400 naming it. */
  field?: string;
}

export async function verifySiweMessage(check: SiweCheck): Promise<{ address: string; message: SiweMessage }> {
  let message: SiweMessage;
  try {
    message = new SiweMessage(check.message);
  } catch {
    throw new ValidationError("not an EIP-4361 message", [{ field: check.field ?? "body.message", message: "unparseable SIWE message", code: "custom" }]);
  }
  if (!(await check.consumeNonce(message.nonce, check.now))) {
    throw new UnauthorizedError("SiweNonceInvalid", "the nonce is unknown, expired or already used");
  }
  if (message.domain !== check.domain) {
    throw new UnauthorizedError("SiweDomainMismatch", `the message must be for ${check.domain}`);
  }
  if (check.chainId !== undefined && message.chainId !== check.chainId) {
    throw new UnauthorizedError("SiweChainMismatch", `the message must be for chain ${check.chainId}`);
  }
  const result = await message.verify(
    { signature: check.signature, domain: check.domain, nonce: message.nonce, time: check.now.toISOString() },
    { suppressExceptions: true },
  );
  if (!result.success) {
    const type = result.error?.type ?? "";
    if (type === "Expired message.") throw new UnauthorizedError("SiweExpired", "the SIWE message has expired");
    if (type === "Message is not valid yet.") throw new UnauthorizedError("SiweNotYetValid", "the SIWE message is not valid yet");
    throw new UnauthorizedError("SiweSignatureInvalid", "the signature does not match the message's address");
  }
  return { address: getAddress(message.address).toLowerCase(), message };
}
