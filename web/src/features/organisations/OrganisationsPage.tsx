/**
 * Organisations: the directory every role may read; the operator also registers organisations, suspends
 * and reactivates them, and sets each core enterprise's issuance limit. The ledger's parameters head the
 * page. What a role may not do it is not offered (the API would refuse it anyway: 403 RoleNotAllowed).
 */
import { Badge, Button, Group, NativeSelect, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { useSession } from "../../app/auth";
import { ErrorNotice } from "../../app/ErrorNotice";
import { TxProgress } from "../../app/TxProgress";
import { parseAmount } from "../../lib/money";
import { useCurrencies, type Currency } from "../currencies/api";
import { useLedgerParameters } from "../receivables/api";
import { Amount } from "../currencies/Amount";
import {
  useIssuanceLimit,
  useOrganisationLabel,
  useOrganisations,
  useRegisterOrganisation,
  useSetIssuanceLimit,
  useSetOrganisationActive,
  type Organisation,
  type OrganisationRole,
} from "./api";

const ROLES: readonly OrganisationRole[] = ["CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"];
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/**
 * The currency an issuance limit is counted in: the limit is face value, and the ledger settles in its
 * currencies; with exactly one (the usual case) amounts are shown in it, otherwise in base units.
 */
function useLimitCurrency(): Currency | undefined {
  const currencies = useCurrencies();
  const all = [...(currencies.data?.values() ?? [])];
  return all.length === 1 ? all[0] : undefined;
}

function LimitText({ value, currency }: { value: string; currency: Currency | undefined }) {
  if (currency === undefined) return <>{value}</>;
  return <Amount value={value} currency={currency.address} />;
}

function LedgerParameters() {
  const { t } = useTranslation("organisations");
  const parameters = useLedgerParameters();
  const currency = useLimitCurrency();
  const p = parameters.data;
  if (parameters.error !== null) return <ErrorNotice error={parameters.error} />;
  if (p === undefined) return null;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="parameters-title">
      <Title order={3} size="h4" id="parameters-title">
        {t("parameters.title")}
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 3 }} component="dl" mt="xs">
        <div>
          <Text size="xs" component="dt">
            {t("parameters.minPart")}
          </Text>
          <Text component="dd" m={0}>
            <LimitText value={p.minPartAmount} currency={currency} />
          </Text>
        </div>
        <div>
          <Text size="xs" component="dt">
            {t("parameters.maxDepth")}
          </Text>
          <Text component="dd" m={0}>
            {p.maxDepth}
          </Text>
        </div>
        <div>
          <Text size="xs" component="dt">
            {t("parameters.offerWindow")}
          </Text>
          <Text component="dd" m={0}>
            {t("parameters.hours", { count: Math.round(p.defaultOfferWindow / 3600) })}
          </Text>
        </div>
      </SimpleGrid>
    </Paper>
  );
}

interface RegisterForm {
  address: string;
  role: OrganisationRole;
  kycHash: string;
}

function RegisterOrganisation() {
  const { t } = useTranslation("organisations");
  const register = useRegisterOrganisation();
  const form = useForm<RegisterForm>({ defaultValues: { address: "", role: "SUPPLIER", kycHash: "" } });
  const errors = form.formState.errors;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="register-title">
      <Title order={3} size="h4" id="register-title">
        {t("register.title")}
      </Title>
      <form
        noValidate
        onSubmit={form.handleSubmit((v) => register.mutate({ address: v.address.toLowerCase(), role: v.role, kycHash: v.kycHash.toLowerCase() }))}
      >
        <SimpleGrid cols={{ base: 1, sm: 3 }} mt="xs">
          <TextInput
            label={t("register.address")}
            {...form.register("address", { validate: (v) => ADDRESS.test(v.trim()) || t("register.addressInvalid") })}
            error={errors.address?.message}
          />
          <NativeSelect label={t("register.role")} data={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} {...form.register("role")} />
          <TextInput
            label={t("register.kycHash")}
            description={t("register.kycHelp")}
            {...form.register("kycHash", { validate: (v) => BYTES32.test(v.trim()) || t("register.kycInvalid") })}
            error={errors.kycHash?.message}
          />
        </SimpleGrid>
        <Group mt="sm">
          <Button type="submit" loading={register.isPending} disabled={register.isPending}>
            {t("register.submit")}
          </Button>
        </Group>
      </form>
      <TxProgress pending={register.isPending} result={register.data} error={register.error} />
    </Paper>
  );
}

/** A core enterprise's issuance limit and usage; the operator sets it here. */
function IssuanceLimitCell({ organisation, canSet }: { organisation: Organisation; canSet: boolean }) {
  const { t } = useTranslation("organisations");
  const limit = useIssuanceLimit(organisation.address);
  const set = useSetIssuanceLimit();
  const currency = useLimitCurrency();
  const label = useOrganisationLabel();
  const decimals = currency?.decimals ?? 0;
  const [text, setText] = useState("");
  const [error, setError] = useState<string | undefined>();
  const l = limit.data;
  if (limit.error !== null) return <ErrorNotice error={limit.error} />;
  if (l === undefined) return <Text>…</Text>;
  return (
    <Stack gap={4}>
      <Text size="sm">
        {t("limit.usage")}: <LimitText value={l.issued} currency={currency} /> / <LimitText value={l.limit} currency={currency} />
      </Text>
      {canSet && (
        <Group gap="xs" align="flex-end" wrap="nowrap">
          <TextInput
            size="xs"
            label={t("limit.new", { name: label(organisation.address) })}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            error={error}
            inputMode="decimal"
          />
          <Button
            size="xs"
            variant="default"
            loading={set.isPending}
            disabled={set.isPending}
            aria-label={t("limit.setOne", { name: label(organisation.address) })}
            onClick={() => {
              const value = parseAmount(text, decimals);
              if (value === undefined) return setError(t("limit.malformed", { decimals }));
              setError(undefined);
              set.mutate({ address: organisation.address, limit: value.toString() });
            }}
          >
            {t("limit.set")}
          </Button>
        </Group>
      )}
      {canSet && <TxProgress pending={set.isPending} result={set.data} error={set.error} />}
    </Stack>
  );
}

function OrganisationRow({ organisation, isOperator }: { organisation: Organisation; isOperator: boolean }) {
  const { t } = useTranslation("organisations");
  const label = useOrganisationLabel();
  const setActive = useSetOrganisationActive();
  const name = label(organisation.address);
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={600}>
          {name}
        </Text>
        <Text size="xs" style={{ wordBreak: "break-all" }}>
          {organisation.address}
        </Text>
      </Table.Td>
      <Table.Td>{t(`role.${organisation.role}`)}</Table.Td>
      <Table.Td>
        <Badge variant="filled" color={organisation.active ? "teal.9" : "red.9"}>
          {organisation.active ? t("active") : t("suspended")}
        </Badge>
        {isOperator && (
          <Stack gap={4} mt={4}>
            <Button
              size="xs"
              variant="default"
              loading={setActive.isPending}
              disabled={setActive.isPending}
              onClick={() => setActive.mutate({ address: organisation.address, active: !organisation.active })}
            >
              {organisation.active ? t("suspendOne", { name }) : t("reactivateOne", { name })}
            </Button>
            <TxProgress pending={setActive.isPending} result={setActive.data} error={setActive.error} />
          </Stack>
        )}
      </Table.Td>
      <Table.Td>{organisation.role === "CORE_ENTERPRISE" ? <IssuanceLimitCell organisation={organisation} canSet={isOperator} /> : "—"}</Table.Td>
    </Table.Tr>
  );
}

export function OrganisationsPage() {
  const { t } = useTranslation("organisations");
  const session = useSession();
  const organisations = useOrganisations();
  const isOperator = session.data?.role === "OPERATOR";
  return (
    <Stack component="section" aria-labelledby="organisations-title">
      <Title order={2} id="organisations-title">
        {t("title")}
      </Title>
      <LedgerParameters />
      {isOperator && <RegisterOrganisation />}
      {organisations.error !== null && <ErrorNotice error={organisations.error} />}
      <Table.ScrollContainer minWidth={900}>
        <Table>
          <Table.Caption>{t("caption")}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("column.organisation")}</Table.Th>
              <Table.Th>{t("column.role")}</Table.Th>
              <Table.Th>{t("column.status")}</Table.Th>
              <Table.Th>{t("column.limit")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(organisations.data ?? []).map((o) => (
              <OrganisationRow key={o.address} organisation={o} isOperator={isOperator} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
