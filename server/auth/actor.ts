/**
 * The principal a request acts as, carried through its use case without threading it through every
 * call: the audit log reads the acting user (and, for an approved prepared action, its maker and
 * checker) from here, so every step it records names the user who took it. Set by the HTTP layer
 * around each authenticated handler, and by the approvals service around an approved action's send.
 * Never consulted for authorisation: that takes the principal a handler is given.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Principal } from "./principal";

const storage = new AsyncLocalStorage<Principal>();

export function runAsPrincipal<T>(principal: Principal, fn: () => Promise<T>): Promise<T> {
  return storage.run(principal, fn);
}

export function currentPrincipal(): Principal | undefined {
  return storage.getStore();
}
