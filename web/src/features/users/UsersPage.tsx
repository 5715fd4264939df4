/**
 * An admin's page (issue 12 item 2): the organisation's users and their duties — add one, change its
 * duties, give it an API key (shown once), disable it — and the approval thresholds above which a
 * checker other than the maker must approve. Forms check their fields before sending; the server's
 * refusals are shown decoded (409 LastAdmin, ...). The API decides who may do this (the admin duty).
 */
import { Alert, Badge, Button, Checkbox, Code, Group, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useEffect, useState } from "react";
import { Controller, useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../../app/ErrorNotice";
import { formatAmount, parseAmount } from "../../lib/money";
import { useCurrencies } from "../currencies/api";
import { useSetThresholds, useThresholds, type Threshold } from "../approvals/api";
import { DUTIES, useCreateUser, useDisableUser, useIssueUserKey, useSetDuties, useUsers, type Duty, type OrganisationUser } from "./api";

function DutyChoices({ value, onChange, label, error }: { value: Duty[]; onChange: (d: Duty[]) => void; label: string; error?: string | undefined }) {
  const { t } = useTranslation("users");
  return (
    <Checkbox.Group label={label} value={value} onChange={(v) => onChange(DUTIES.filter((d) => v.includes(d)))} error={error}>
      <Group gap="md" mt={4}>
        {DUTIES.map((d) => (
          <Checkbox key={d} value={d} label={`${t(`duty.${d}`)} (${t(`dutyHelp.${d}`)})`} />
        ))}
      </Group>
    </Checkbox.Group>
  );
}

function UserRow({ user }: { user: OrganisationUser }) {
  const { t } = useTranslation("users");
  const setDuties = useSetDuties();
  const disable = useDisableUser();
  const issue = useIssueUserKey();
  const [duties, setLocal] = useState<Duty[]>(user.duties);
  useEffect(() => setLocal(user.duties), [user.duties]);
  const disabled = user.disabledAt !== null;
  const changed = duties.join() !== user.duties.join();
  return (
    <Table.Tr>
      <Table.Td>{user.name}</Table.Td>
      <Table.Td>
        {disabled ? (
          <Group gap={4}>
            {user.duties.map((d) => (
              <Badge key={d} variant="outline" color="dark">
                {t(`duty.${d}`)}
              </Badge>
            ))}
          </Group>
        ) : (
          <Stack gap="xs">
            <DutyChoices label={t("users.edit", { name: user.name })} value={duties} onChange={setLocal} error={duties.length === 0 ? t("users.dutiesRequired") : undefined} />
            {changed && (
              <Button size="xs" w="fit-content" disabled={duties.length === 0 || setDuties.isPending} loading={setDuties.isPending} onClick={() => setDuties.mutate({ id: user.id, duties })}>
                {t("users.save", { name: user.name })}
              </Button>
            )}
            {setDuties.error !== null && <ErrorNotice error={setDuties.error} />}
          </Stack>
        )}
      </Table.Td>
      <Table.Td>
        <Badge variant="filled" color={disabled ? "gray.8" : "teal.9"}>
          {disabled ? t("users.disabled") : t("users.active")}
        </Badge>
      </Table.Td>
      <Table.Td>
        {!disabled && (
          <Stack gap="xs">
            <Group gap="xs">
              <Button size="xs" variant="default" loading={issue.isPending} disabled={issue.isPending} onClick={() => issue.mutate({ id: user.id, label: `${user.name} (web)` })}>
                {t("users.issueKey", { name: user.name })}
              </Button>
              <Button size="xs" variant="default" color="red.9" loading={disable.isPending} disabled={disable.isPending} onClick={() => disable.mutate({ id: user.id })}>
                {t("users.disable", { name: user.name })}
              </Button>
            </Group>
            {issue.data !== undefined && (
              <Alert color="yellow" variant="light">
                <Text size="sm">{t("users.keyShown", { name: user.name })}</Text>
                <Code style={{ wordBreak: "break-all" }}>{issue.data.apiKey}</Code>
              </Alert>
            )}
            {issue.error !== null && <ErrorNotice error={issue.error} />}
            {disable.error !== null && <ErrorNotice error={disable.error} />}
          </Stack>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

function AddUser() {
  const { t } = useTranslation("users");
  const create = useCreateUser();
  const form = useForm<{ name: string; duties: Duty[] }>({ defaultValues: { name: "", duties: ["viewer"] } });
  return (
    <form noValidate onSubmit={form.handleSubmit((v) => create.mutate({ name: v.name.trim(), duties: v.duties }, { onSuccess: () => form.reset() }))}>
      <Title order={4} size="h5" mt="md">
        {t("add.title")}
      </Title>
      <Stack gap="xs" mt="xs">
        <TextInput label={t("add.name")} {...form.register("name", { validate: (v) => v.trim() !== "" || t("add.nameRequired") })} error={form.formState.errors.name?.message} />
        <Controller
          control={form.control}
          name="duties"
          rules={{ validate: (v) => v.length > 0 || t("users.dutiesRequired") }}
          render={({ field, fieldState }) => <DutyChoices label={t("add.duties")} value={field.value} onChange={field.onChange} error={fieldState.error?.message} />}
        />
        <Button type="submit" w="fit-content" loading={create.isPending} disabled={create.isPending}>
          {t("add.submit")}
        </Button>
        {create.error !== null && <ErrorNotice error={create.error} />}
      </Stack>
    </form>
  );
}

function Users() {
  const { t } = useTranslation("users");
  const users = useUsers();
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="users-title">
      <Title order={3} size="h4" id="users-title">
        {t("users.title")}
      </Title>
      {users.error !== null && <ErrorNotice error={users.error} />}
      <Table.ScrollContainer minWidth={900}>
        <Table verticalSpacing="sm">
          <Table.Caption>{t("users.caption")}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("users.name")}</Table.Th>
              <Table.Th>{t("users.duties")}</Table.Th>
              <Table.Th>{t("users.state")}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.data?.map((u) => (
              <UserRow key={u.id} user={u} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <AddUser />
    </Paper>
  );
}

const KINDS = ["CONFIRMATION", "TRANSFER", "QUOTE", "DEPOSIT"] as const;

interface ThresholdForm {
  action: (typeof KINDS)[number];
  currency: string;
  amount: string;
  windowHours: string;
}

function Thresholds() {
  const { t, i18n } = useTranslation("users");
  const current = useThresholds();
  const set = useSetThresholds();
  const currencies = useCurrencies();
  const list = [...(currencies.data?.values() ?? [])];
  const form = useForm<ThresholdForm>({ defaultValues: { action: "CONFIRMATION", currency: "", amount: "", windowHours: "24" } });
  const { reset, getValues } = form;
  const windowSeconds = current.data?.approvalWindowSeconds;
  useEffect(() => {
    if (windowSeconds !== undefined) reset({ ...getValues(), windowHours: String(Math.max(1, Math.round(windowSeconds / 3600))) });
  }, [windowSeconds, reset, getValues]);
  const first = list[0]?.address;
  useEffect(() => {
    if (getValues().currency === "" && first !== undefined) reset({ ...getValues(), currency: first });
  }, [first, reset, getValues]);
  const decimalsOf = (address: string) => currencies.data?.get(address)?.decimals ?? 0;
  const symbolOf = (address: string) => currencies.data?.get(address)?.symbol ?? address;
  const thresholds = current.data?.thresholds ?? [];
  const put = (next: Threshold[], windowHours: number) => set.mutate({ approvalWindowSeconds: windowHours * 3600, thresholds: next });
  const errors = form.formState.errors;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="thresholds-title">
      <Title order={3} size="h4" id="thresholds-title">
        {t("thresholds.title")}
      </Title>
      <Text size="sm" mt="xs">
        {t("thresholds.help")}
      </Text>
      {windowSeconds !== undefined && (
        <Text size="sm" mt="xs">
          {t("thresholds.windowCurrent", { hours: Math.round(windowSeconds / 3600) })}
        </Text>
      )}
      {current.error !== null && <ErrorNotice error={current.error} />}
      {thresholds.length === 0 ? (
        <Text size="sm" mt="xs">
          {t("thresholds.none")}
        </Text>
      ) : (
        <Table mt="xs">
          <Table.Caption>{t("thresholds.caption")}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("thresholds.action")}</Table.Th>
              <Table.Th>{t("thresholds.currency")}</Table.Th>
              <Table.Th>{t("thresholds.amount")}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {thresholds.map((th) => (
              <Table.Tr key={`${th.action}:${th.currency}`}>
                <Table.Td>{t(`thresholds.kind.${th.action}`)}</Table.Td>
                <Table.Td>{symbolOf(th.currency)}</Table.Td>
                <Table.Td>{formatAmount(th.amount, decimalsOf(th.currency), i18n.language)}</Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="default"
                    disabled={set.isPending}
                    onClick={() => put(thresholds.filter((x) => x !== th), Math.round((windowSeconds ?? 86_400) / 3600))}
                  >
                    {t("thresholds.remove", { action: t(`thresholds.kind.${th.action}`), currency: symbolOf(th.currency) })}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <form
        noValidate
        onSubmit={form.handleSubmit((v) => {
          const amount = (parseAmount(v.amount, decimalsOf(v.currency)) ?? 0n).toString();
          const others = thresholds.filter((x) => !(x.action === v.action && x.currency === v.currency));
          put([...others, { action: v.action, currency: v.currency, amount }], Number(v.windowHours));
        })}
      >
        <SimpleGrid cols={{ base: 1, sm: 4 }} mt="sm">
          <Controller
            control={form.control}
            name="action"
            render={({ field }) => (
              <Select
                label={t("thresholds.action")}
                data={KINDS.map((k) => ({ value: k, label: t(`thresholds.kind.${k}`) }))}
                value={field.value}
                onChange={(v) => field.onChange(v ?? "CONFIRMATION")}
                allowDeselect={false}
              />
            )}
          />
          <Controller
            control={form.control}
            name="currency"
            render={({ field }) => (
              <Select label={t("thresholds.currency")} data={list.map((c) => ({ value: c.address, label: c.symbol }))} value={field.value} onChange={(v) => field.onChange(v ?? "")} allowDeselect={false} />
            )}
          />
          <TextInput
            label={t("thresholds.amount")}
            {...form.register("amount", {
              validate: (v, all) => parseAmount(v, decimalsOf(all.currency)) !== undefined || t("thresholds.amountInvalid", { decimals: decimalsOf(all.currency) }),
            })}
            error={errors.amount?.message}
          />
          <TextInput
            label={t("thresholds.window")}
            {...form.register("windowHours", { validate: (v) => (/^[0-9]+$/.test(v) && Number(v) >= 1 && Number(v) <= 720) || t("thresholds.windowInvalid") })}
            error={errors.windowHours?.message}
          />
        </SimpleGrid>
        <Button type="submit" mt="sm" loading={set.isPending} disabled={set.isPending}>
          {t("thresholds.set")}
        </Button>
        {set.error !== null && <ErrorNotice error={set.error} />}
      </form>
    </Paper>
  );
}

export function UsersPage() {
  const { t } = useTranslation("users");
  return (
    <Stack>
      <Title order={2}>{t("title")}</Title>
      <Users />
      <Thresholds />
    </Stack>
  );
}
