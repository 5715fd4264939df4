import { useQuery } from "@tanstack/react-query";
import { api } from "../../lib/api/client";
import { queryKeys } from "../../lib/queryKeys";

/** Head block and indexed block, from /ready (which answers 503 with the same report when lagging). */
export function useChainStatus() {
  return useQuery({
    queryKey: queryKeys.chain,
    queryFn: async () => {
      const answer = await api.GET("/ready");
      const report = answer.data ?? (answer.error as unknown as typeof answer.data);
      if (report === undefined) throw new Error("no readiness report");
      return report.indexer;
    },
    refetchInterval: 5_000,
  });
}
