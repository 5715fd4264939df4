/**
 * What one API request has sent, carried through its use case without threading it through every
 * call: the Idempotency-Key it runs under (so the nonce manager binds each transaction to the key before
 * broadcasting it) and the transactions sent so far (so the idempotency layer knows whether a failed
 * request already moved something on chain, and which block its answer depends on).
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface ScopedTransaction {
  txHash: string;
  nonce: bigint;
  address: string;
  /** Set once mined. */
  blockNumber?: number;
  blockHash?: string;
}

export interface RequestScope {
  idempotency?: { scope: string; key: string };
  sent: ScopedTransaction[];
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, fn: () => Promise<T>): Promise<T> {
  return storage.run(scope, fn);
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}
