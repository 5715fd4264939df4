/**
 * A write that sends a transaction: the API needs an Idempotency-Key, and the same user action must never
 * send twice. The key is made once per distinct action (its variables) and reused by any repeat of it —
 * a double click, a retry after a dropped connection — until the action succeeds; the server answers a
 * repeat with the stored result. Success invalidates exactly the queries the write changed.
 */
import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useRef } from "react";
import { newIdempotencyKey } from "./api/client";

export interface TxResult {
  txHash: string;
  blockNumber: number;
  indexed: boolean;
  /** The chain head at which the read views include the block (blockNumber + the indexer's confirmations). */
  finalAtBlock: number;
}

export function useTxMutation<V, R>(options: { send: (variables: V, idempotencyKey: string) => Promise<R>; invalidates: (variables: V) => readonly QueryKey[] }) {
  const client = useQueryClient();
  const keys = useRef(new Map<string, string>());
  return useMutation({
    mutationFn: async (variables: V) => {
      const action = JSON.stringify(variables);
      let key = keys.current.get(action);
      if (key === undefined) {
        key = newIdempotencyKey();
        keys.current.set(action, key);
      }
      const result = await options.send(variables, key);
      keys.current.delete(action);
      return result;
    },
    onSuccess: async (_result, variables) => {
      await Promise.all(options.invalidates(variables).map((queryKey) => client.invalidateQueries({ queryKey })));
    },
  });
}
