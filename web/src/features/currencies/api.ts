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

/** The caller's own settlement-token balances, read from the chain at the head. */
export function useBalances(enabled = true) {
  return useQuery({
    queryKey: queryKeys.balances,
    queryFn: async () => (await unwrap(api.GET("/v1/balances"))).items,
    enabled,
  });
}

/**
 * The currency whose decimals show amounts the chain keeps in base units of face whatever the currency
 * (issuance and exposure limits): the first settlement currency, the deployment's own.
 */
export function useFaceCurrency(): Currency | undefined {
  const currencies = useCurrencies();
  return currencies.data === undefined ? undefined : [...currencies.data.values()][0];
}
