/**
 * Server state of notifications: the organisation's latest notifications (kept current by the event
 * stream `GET /v1/events`), and its webhooks with their delivery log (its admin's business).
 */
import { useEffect, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { queryKeys } from "../../lib/queryKeys";
import { NOTIFICATION_TYPES, RETRACTED } from "../../../../server/notifications/types";

export type Notification = Schemas["Notification"];
export type Webhook = Schemas["Webhook"];
export type Delivery = Schemas["WebhookDelivery"];
export type NotificationType = Schemas["CreateWebhook"]["eventTypes"][number];

const LATEST = 20;

/** The event types a webhook can subscribe to, in the order the form lists them: the server's own list. */
export const EVENT_TYPES: readonly NotificationType[] = NOTIFICATION_TYPES;

export function useNotifications(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.notifications.latest(),
    queryFn: async () => (await unwrap(api.GET("/v1/notifications", { params: { query: { limit: LATEST } } }))).items,
    enabled,
  });
}

/**
 * Follows the event stream while signed in as an organisation: each notification goes to the top of the
 * latest list and counts as unread until `markRead`. The browser's EventSource reconnects by itself with
 * Last-Event-ID, so nothing is missed across a dropped connection.
 */
export function useNotificationStream(enabled: boolean): { unread: number; markRead: () => void; connected: boolean } {
  const queryClient = useQueryClient();
  const [unread, setUnread] = useState(0);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (!enabled || typeof EventSource === "undefined") return;
    const source = new EventSource("/v1/events");
    const onMessage = (e: MessageEvent<string>) => {
      const n = { seq: Number(e.lastEventId), ...(JSON.parse(e.data) as Omit<Notification, "seq">) };
      queryClient.setQueryData<Notification[]>(queryKeys.notifications.latest(), (old) => [n, ...(old ?? []).filter((x) => x.id !== n.id && (n.retracts === null || x.id !== n.retracts))].slice(0, LATEST));
      setUnread((u) => u + 1);
      // What the notification is about may have changed on screen: refresh what it touches.
      void queryClient.invalidateQueries({ queryKey: queryKeys.receivables.all });
      void queryClient.invalidateQueries({ queryKey: queryKeys.invoices.all });
      void queryClient.invalidateQueries({ queryKey: queryKeys.financing.all });
      void queryClient.invalidateQueries({ queryKey: queryKeys.disputes.all });
    };
    const types = [...EVENT_TYPES, RETRACTED];
    for (const type of types) source.addEventListener(type, onMessage);
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    return () => {
      for (const type of types) source.removeEventListener(type, onMessage);
      source.close();
    };
  }, [enabled, queryClient]);
  return { unread, markRead: () => setUnread(0), connected };
}

export function useWebhooks() {
  return useQuery({ queryKey: queryKeys.notifications.webhooks(), queryFn: async () => (await unwrap(api.GET("/v1/webhooks"))).items });
}

export function useCreateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { url: string; eventTypes: NotificationType[]; description?: string }) => unwrap(api.POST("/v1/webhooks", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.notifications.webhooks() }),
  });
}

export function useUpdateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; status: "ACTIVE" | "DISABLED" }) => unwrap(api.PATCH("/v1/webhooks/{id}", { params: { path: { id: v.id } }, body: { status: v.status } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.notifications.all }),
  });
}

export function useDeleteWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/v1/webhooks/{id}", { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.notifications.webhooks() }),
  });
}

export function useDeliveries(id: string) {
  return useQuery({
    queryKey: queryKeys.notifications.deliveries(id),
    queryFn: async () => (await unwrap(api.GET("/v1/webhooks/{id}/deliveries", { params: { path: { id }, query: { limit: 20 } } }))).items,
    refetchInterval: 2_000,
  });
}

export function useRedeliver() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; deliveryId: string }) => unwrap(api.POST("/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver", { params: { path: v } })),
    onSuccess: (_d, v) => queryClient.invalidateQueries({ queryKey: queryKeys.notifications.deliveries(v.id) }),
  });
}
