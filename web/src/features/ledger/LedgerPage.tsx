/**
 * The operator's administration of the ledger: the emergency pause, the allowed settlement currencies and
 * the ledger parameters. Every form checks its fields before sending; a refusal of the server is shown
 * decoded (on the field it concerns when it names one). The API decides who may do this (operator only).
 */
import { Alert, Badge, Button, Group, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useEffect, useState } from "react";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../../app/ErrorNotice";
import { TxProgress } from "../../app/TxProgress";
import { ApiError } from "../../lib/api/client";
import { formatDateTime } from "../../lib/dates";
import { formatAmount, parseAmount } from "../../lib/money";
import { useCurrencies, type Currency } from "../currencies/api";
import { useLedgerStatus, useSetCurrencyAllowed, useSetLedgerParameters, useSetPaused, type LedgerChange } from "./api";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const MAX_MIN_PART = (1n << 96n) - 1n;
const MAX_WINDOW_HOURS = Math.floor((2 ** 32 - 1) / 3600);

/** A change waiting in the timelock says when it can be executed. */
function Scheduled({ change }: { change: LedgerChange | undefined }) {
  const { t, i18n } = useTranslation("ledger");
  if (change?.state !== "SCHEDULED" || change.readyAt === null) return null;
  return (
    <Alert color="blue" mt="sm">
      {t("scheduled", { time: formatDateTime(change.readyAt, i18n.language), operationId: change.operationId })}
    </Alert>
  );
}

/** Who administers currencies and parameters, and with what delay. */
function AdminNote() {
  const { t } = useTranslation("ledger");
  const status = useLedgerStatus();
  const admin = status.data?.admin;
  if (admin === undefined) return null;
  return (
    <Text size="sm" c="dimmed">
      {t(`admin.${admin.kind}`, { address: admin.address, delay: t("admin.seconds", { count: admin.minDelaySeconds ?? 0 }) })}
    </Text>
  );
}

function PauseSwitch() {
  const { t } = useTranslation("ledger");
  const status = useLedgerStatus();
  const setPaused = useSetPaused();
  const [confirming, setConfirming] = useState(false);
  const paused = status.data?.paused;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="pause-title">
      <Group justify="space-between">
        <Title order={3} size="h4" id="pause-title">
          {t("state.title")}
        </Title>
        {paused !== undefined && (
          <Badge variant="filled" color={paused ? "red.9" : "teal.9"}>
            {paused ? t("state.paused") : t("state.running")}
          </Badge>
        )}
      </Group>
      <Text size="sm" mt="xs">
        {t("state.help")}
      </Text>
      {status.error !== null && <ErrorNotice error={status.error} />}
      {paused === false && !confirming && (
        <Button mt="sm" color="red.9" onClick={() => setConfirming(true)}>
          {t("state.pause")}
        </Button>
      )}
      {paused === false && confirming && (
        <Group mt="sm">
          <Button
            color="red.9"
            loading={setPaused.isPending}
            disabled={setPaused.isPending}
            onClick={() => setPaused.mutate({ paused: true }, { onSettled: () => setConfirming(false) })}
          >
            {t("state.confirmPause")}
          </Button>
          <Button variant="default" onClick={() => setConfirming(false)}>
            {t("state.cancel")}
          </Button>
        </Group>
      )}
      {paused === true && (
        <Button mt="sm" loading={setPaused.isPending} disabled={setPaused.isPending} onClick={() => setPaused.mutate({ paused: false })}>
          {t("state.unpause")}
        </Button>
      )}
      <TxProgress pending={setPaused.isPending} result={setPaused.data} error={setPaused.error} />
    </Paper>
  );
}

function CurrencyRow({ currency }: { currency: Currency }) {
  const { t } = useTranslation("ledger");
  const set = useSetCurrencyAllowed();
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={600}>
          {currency.symbol}
        </Text>
        <Text size="xs">{currency.name}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="xs" style={{ wordBreak: "break-all" }}>
          {currency.address}
        </Text>
      </Table.Td>
      <Table.Td>{currency.decimals}</Table.Td>
      <Table.Td>
        <Badge variant="filled" color={currency.allowed ? "teal.9" : "gray.8"}>
          {currency.allowed ? t("currencies.allowed") : t("currencies.notAllowed")}
        </Badge>
        <Stack gap={4} mt={4}>
          <Button
            size="xs"
            variant="default"
            loading={set.isPending}
            disabled={set.isPending}
            onClick={() => set.mutate({ address: currency.address, allowed: !currency.allowed })}
          >
            {currency.allowed ? t("currencies.disallowOne", { symbol: currency.symbol }) : t("currencies.allowOne", { symbol: currency.symbol })}
          </Button>
          <TxProgress pending={set.isPending} result={set.data} error={set.error} />
          <Scheduled change={set.data} />
        </Stack>
      </Table.Td>
    </Table.Tr>
  );
}

function AllowCurrency() {
  const { t } = useTranslation("ledger");
  const set = useSetCurrencyAllowed();
  const form = useForm<{ address: string }>({ defaultValues: { address: "" } });
  const { setError } = form;
  // The server names the address when it is not a token: shown on the field, in the user's language.
  useEffect(() => {
    if (set.error instanceof ApiError && "address" in set.error.fieldErrors()) setError("address", { message: t("currencies.notToken") });
  }, [set.error, setError, t]);
  const fieldRefusal = set.error instanceof ApiError && "address" in set.error.fieldErrors();
  return (
    <form noValidate onSubmit={form.handleSubmit((v) => set.mutate({ address: v.address.trim().toLowerCase(), allowed: true }))}>
      <Title order={4} size="h5" mt="md">
        {t("currencies.newTitle")}
      </Title>
      <Group align="flex-end" mt="xs">
        <TextInput
          label={t("currencies.newAddress")}
          style={{ flex: 1 }}
          {...form.register("address", { validate: (v) => ADDRESS.test(v.trim()) || t("currencies.addressInvalid") })}
          error={form.formState.errors.address?.message}
        />
        <Button type="submit" loading={set.isPending} disabled={set.isPending}>
          {t("currencies.submit")}
        </Button>
      </Group>
      <TxProgress pending={set.isPending} result={set.data} error={fieldRefusal ? null : set.error} />
      <Scheduled change={set.data} />
    </form>
  );
}

function Currencies() {
  const { t } = useTranslation("ledger");
  const currencies = useCurrencies();
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="currencies-title">
      <Title order={3} size="h4" id="currencies-title">
        {t("currencies.title")}
      </Title>
      {currencies.error !== null && <ErrorNotice error={currencies.error} />}
      <Table.ScrollContainer minWidth={700}>
        <Table>
          <Table.Caption>{t("currencies.caption")}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("currencies.symbol")}</Table.Th>
              <Table.Th>{t("currencies.address")}</Table.Th>
              <Table.Th>{t("currencies.decimals")}</Table.Th>
              <Table.Th>{t("currencies.status")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[...(currencies.data?.values() ?? [])].map((c) => (
              <CurrencyRow key={c.address} currency={c} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <AllowCurrency />
    </Paper>
  );
}

/** The decimals the minimum part is entered in: those of the currencies when they all agree, else base units (0). */
function useAmountDecimals(): { decimals: number; symbol: string | undefined } {
  const currencies = [...(useCurrencies().data?.values() ?? [])];
  const decimals = new Set(currencies.map((c) => c.decimals));
  if (decimals.size !== 1) return { decimals: 0, symbol: undefined };
  return { decimals: currencies[0]?.decimals ?? 0, symbol: currencies.length === 1 ? currencies[0]?.symbol : undefined };
}

interface ParametersForm {
  minPart: string;
  maxDepth: string;
  windowHours: string;
}

function Parameters() {
  const { t, i18n } = useTranslation("ledger");
  const status = useLedgerStatus();
  const set = useSetLedgerParameters();
  const { decimals, symbol } = useAmountDecimals();
  const form = useForm<ParametersForm>({ defaultValues: { minPart: "", maxDepth: "", windowHours: "" } });
  const current = status.data?.parameters;
  const { reset } = form;
  // Prefilled with the values in force, whenever they change.
  useEffect(() => {
    if (current === undefined) return;
    reset({
      minPart: formatAmount(current.minPartAmount, decimals, "en").replace(/,/g, ""),
      maxDepth: String(current.maxDepth),
      windowHours: String(Math.max(1, Math.floor(current.defaultOfferWindow / 3600))),
    });
  }, [current, decimals, reset]);
  const errors = form.formState.errors;
  const unit = symbol ?? (decimals === 0 ? t("parameters.baseUnits") : "");
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="ledger-parameters-title">
      <Title order={3} size="h4" id="ledger-parameters-title">
        {t("parameters.title")}
      </Title>
      {current !== undefined && (
        <Text size="sm" mt="xs">
          {t("parameters.help", {
            minPart: `${formatAmount(current.minPartAmount, decimals, i18n.language)}${symbol === undefined ? "" : ` ${symbol}`}`,
            maxDepth: current.maxDepth,
            window: t("parameters.hours", { count: Math.round(current.defaultOfferWindow / 3600) }),
          })}
        </Text>
      )}
      <form
        noValidate
        onSubmit={form.handleSubmit((v) =>
          set.mutate({
            minPartAmount: (parseAmount(v.minPart, decimals) ?? 0n).toString(),
            maxDepth: Number(v.maxDepth),
            defaultOfferWindow: Number(v.windowHours) * 3600,
          }),
        )}
      >
        <SimpleGrid cols={{ base: 1, sm: 3 }} mt="xs">
          <TextInput
            label={t("parameters.minPart")}
            description={t("parameters.minPartHelp", { unit })}
            inputMode="decimal"
            {...form.register("minPart", {
              validate: (v) => {
                const value = parseAmount(v, decimals);
                return (value !== undefined && value > 0n && value <= MAX_MIN_PART) || t("parameters.minPartInvalid", { decimals });
              },
            })}
            error={errors.minPart?.message}
          />
          <TextInput
            label={t("parameters.maxDepth")}
            inputMode="numeric"
            {...form.register("maxDepth", { validate: (v) => (/^\d{1,3}$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 255) || t("parameters.maxDepthInvalid") })}
            error={errors.maxDepth?.message}
          />
          <TextInput
            label={t("parameters.offerWindow")}
            inputMode="numeric"
            {...form.register("windowHours", {
              validate: (v) => (/^\d{1,7}$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= MAX_WINDOW_HOURS) || t("parameters.offerWindowInvalid"),
            })}
            error={errors.windowHours?.message}
          />
        </SimpleGrid>
        <Group mt="sm">
          <Button type="submit" loading={set.isPending} disabled={set.isPending || current === undefined}>
            {t("parameters.submit")}
          </Button>
        </Group>
      </form>
      <TxProgress pending={set.isPending} result={set.data} error={set.error} />
      <Scheduled change={set.data} />
    </Paper>
  );
}

export function LedgerPage() {
  const { t } = useTranslation("ledger");
  return (
    <Stack component="section" aria-labelledby="ledger-title">
      <Title order={2} id="ledger-title">
        {t("title")}
      </Title>
      <AdminNote />
      <PauseSwitch />
      <Currencies />
      <Parameters />
    </Stack>
  );
}
