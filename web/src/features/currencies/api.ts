import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { queryKeys } from "../../lib/queryKeys";

export type Currency = Schemas["Currency"];

/** The settlement currencies by lower-case address (they never change while the app runs). */
export function useCurrencies() {
  return useQuery({
    queryKey: queryKeys.currencies,
    queryFn: async () => {
      const { items } = await unwrap(api.GET("/v1/currencies"));
      return new Map(items.map((c) => [c.address, c]));
    },
    staleTime: Infinity,
  });
}
