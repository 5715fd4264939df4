/**
 * The signed-in session: who we are (`/v1/me`, authenticated by the httpOnly cookie), the CSRF token of
 * that cookie (in memory only), signing in (API key, or the demo picker on a local chain) and out.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, setCsrfToken, unwrap } from "../lib/api/client";
import type { paths } from "../lib/api/schema";
import { queryKeys } from "../lib/queryKeys";

export type Me = paths["/v1/me"]["get"]["responses"][200]["content"]["application/json"];
export type Role = Me["role"];

/** The current principal, or null when not signed in. */
export function useSession() {
  return useQuery({
    queryKey: queryKeys.session,
    queryFn: async (): Promise<Me | null> => {
      try {
        const me = await unwrap(api.GET("/v1/me"));
        // After a reload the page knows the cookie only by its effect: ask for its CSRF token again.
        const { csrfToken } = await unwrap(api.GET("/v1/auth/browser-session"));
        setCsrfToken(csrfToken);
        return me;
      } catch (err) {
        if (err instanceof ApiError && (err.status === 401 || err.status === 404)) return null;
        throw err;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
}

/** The demo organisations (only on a local development chain; empty elsewhere). */
export function useDemoLogins() {
  return useQuery({
    queryKey: queryKeys.demoLogins,
    queryFn: async () => {
      try {
        return (await unwrap(api.GET("/v1/auth/demo-logins"))).items;
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return [];
        throw err;
      }
    },
    staleTime: Infinity,
  });
}

/** What is the same for everyone (the session itself is refetched, not dropped, so the page follows it). */
const KEPT_ACROSS_SIGN_IN = new Set<string>([queryKeys.session[0], queryKeys.demoLogins[0], queryKeys.currencies[0], queryKeys.chain[0]]);

function useSignedIn() {
  const client = useQueryClient();
  return async (session: { csrfToken: string }) => {
    setCsrfToken(session.csrfToken);
    // A new identity: nothing cached for the previous one may show.
    client.removeQueries({ predicate: (q) => !KEPT_ACROSS_SIGN_IN.has(q.queryKey[0] as string) });
    await client.refetchQueries({ queryKey: queryKeys.session });
  };
}

export function useDemoSignIn() {
  const signedIn = useSignedIn();
  return useMutation({
    mutationFn: async (subject: string) => unwrap(api.POST("/v1/auth/demo-sessions", { body: { subject } })),
    onSuccess: signedIn,
  });
}

export function useApiKeySignIn() {
  const signedIn = useSignedIn();
  return useMutation({
    mutationFn: async (apiKey: string) => unwrap(api.POST("/v1/auth/browser-sessions", { body: { apiKey } })),
    onSuccess: signedIn,
  });
}

/**
 * Signs in with the organisation's own wallet: a one-time nonce from the API, an EIP-4361 message for
 * this origin signed in the wallet, exchanged for the same httpOnly cookie session as an API key.
 */
export function useWalletSignIn() {
  const signedIn = useSignedIn();
  return useMutation({
    mutationFn: async () => {
      const { askWallet, signWithWallet, siweMessage } = await import("../lib/wallet");
      const { nonce, domain, expiresAt } = await unwrap(api.POST("/v1/auth/siwe/nonce"));
      const signed = await askWallet(() =>
        signWithWallet(({ address, chainId }) =>
          siweMessage({ domain, address, uri: globalThis.location.origin, chainId, nonce, issuedAt: new Date().toISOString(), expirationTime: expiresAt }),
        ),
      );
      return unwrap(api.POST("/v1/auth/siwe/browser-sessions", { body: signed }));
    },
    onSuccess: signedIn,
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(api.DELETE("/v1/auth/sessions/current")),
    onSettled: async () => {
      setCsrfToken(undefined);
      client.removeQueries({ predicate: (q) => !KEPT_ACROSS_SIGN_IN.has(q.queryKey[0] as string) });
      client.setQueryData(queryKeys.session, null);
    },
  });
}
