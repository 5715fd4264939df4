import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../lib/api/client";
import { queryKeys } from "../../lib/queryKeys";

/** Head block, the chain's clock and the indexed block (GET /v1/chain), refreshed every few seconds. */
export function useChainStatus() {
  return useQuery({
    queryKey: queryKeys.chain,
    queryFn: async () => unwrap(api.GET("/v1/chain")),
    refetchInterval: 5_000,
  });
}
