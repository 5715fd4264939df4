/**
 * Onboarding review: the operator reads each application (profile, the bank account masked, the KYC
 * documents and whether each was uploaded) and approves it — which registers the organisation on chain —
 * or rejects it with a reason. Auditors read the same list without the actions. The API enforces the
 * states (an application decided already answers 409) and the roles.
 */
import { Badge, Button, Group, Paper, SegmentedControl, SimpleGrid, Stack, Text, TextInput, Title } from "@mantine/core";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { useSession } from "../../app/auth";
import { ErrorNotice } from "../../app/ErrorNotice";
import { TxProgress } from "../../app/TxProgress";
import { useApplications, useApproveApplication, useRejectApplication, type Application, type ApplicationStatus } from "./api";

const STATUSES: readonly ApplicationStatus[] = ["PENDING", "APPROVED", "REJECTED"];
const STATUS_COLOR: Record<ApplicationStatus, string> = { PENDING: "blue.9", APPROVING: "blue.9", APPROVED: "teal.9", REJECTED: "red.9" };

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" component="dt">
        {label}
      </Text>
      <Text size="sm" component="dd" m={0} style={{ wordBreak: "break-all" }}>
        {children}
      </Text>
    </div>
  );
}

type Approve = ReturnType<typeof useApproveApplication>;
type Reject = ReturnType<typeof useRejectApplication>;

/** The operator's decision on one application; the mutations are the page's, so their outcome outlives the card (a decided application leaves the list). */
function Decide({ application, approve, reject }: { application: Application; approve: Approve; reject: Reject }) {
  const { t } = useTranslation("organisations");
  const form = useForm<{ reason: string }>({ defaultValues: { reason: "" } });
  const name = application.legalName.zh;
  const allUploaded = application.kycDocuments.every((d) => d.uploaded);
  return (
    <Stack gap="xs" mt="sm">
      <Group align="flex-end">
        <Button color="teal.9" loading={approve.isPending} disabled={approve.isPending || !allUploaded} onClick={() => approve.mutate({ address: application.address })}>
          {t("onboarding.approveOne", { name })}
        </Button>
        {!allUploaded && <Text size="sm">{t("onboarding.documentsMissing")}</Text>}
      </Group>
      <form noValidate onSubmit={form.handleSubmit((v) => reject.mutate({ address: application.address, reason: v.reason.trim() }))}>
        <Group align="flex-start">
          <TextInput
            label={t("onboarding.reason", { name })}
            {...form.register("reason", { validate: (v) => v.trim() !== "" || t("onboarding.reasonRequired") })}
            error={form.formState.errors.reason?.message}
            miw={320}
          />
          <Button type="submit" variant="default" mt={24} loading={reject.isPending} disabled={reject.isPending}>
            {t("onboarding.rejectOne", { name })}
          </Button>
        </Group>
      </form>
    </Stack>
  );
}

function ApplicationCard({ application, decide }: { application: Application; decide: { approve: Approve; reject: Reject } | undefined }) {
  const { t } = useTranslation("organisations");
  const a = application;
  const headingId = `application-${a.address}`;
  return (
    <Paper withBorder p="md" component="article" aria-labelledby={headingId}>
      <Group justify="space-between">
        <div>
          <Title order={3} size="h4" id={headingId}>
            {a.legalName.zh}
          </Title>
          {a.legalName.en !== null && <Text size="sm">{a.legalName.en}</Text>}
        </div>
        <Badge variant="filled" color={STATUS_COLOR[a.onboarding.status]}>
          {t(`onboarding.status.${a.onboarding.status}`)}
        </Badge>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 3 }} component="dl" mt="xs">
        <Field label={t("column.role")}>{t(`role.${a.role}`)}</Field>
        <Field label={t("directory.creditCode")}>{a.creditCode}</Field>
        <Field label={t("onboarding.address")}>{a.address}</Field>
        <Field label={t("onboarding.registeredAddress")}>{a.registeredAddress}</Field>
        <Field label={t("onboarding.contact")}>{`${a.contact.name} · ${a.contact.phone} · ${a.contact.email}`}</Field>
        <Field label={t("onboarding.bankAccount")}>{`${a.bankAccount.name} · ${a.bankAccount.bank} · ${a.bankAccount.number}`}</Field>
        <Field label={t("onboarding.channel")}>{t(`onboarding.channels.${a.onboarding.channel}`)}</Field>
        <Field label={t("onboarding.kycHash")}>{a.kycHash}</Field>
        {a.onboarding.rejectionReason !== null && <Field label={t("onboarding.rejectionReason")}>{a.onboarding.rejectionReason}</Field>}
      </SimpleGrid>
      <Text size="sm" fw={600} mt="sm">
        {t("onboarding.documents")}
      </Text>
      <Stack component="ul" gap={2} m={0} pl="md">
        {a.kycDocuments.map((d) => (
          <Text component="li" size="sm" key={d.hash} style={{ wordBreak: "break-all" }}>
            {d.name} — {d.hash} — {d.uploaded ? t("onboarding.uploaded") : t("onboarding.notUploaded")}
          </Text>
        ))}
      </Stack>
      {decide !== undefined && a.onboarding.status === "PENDING" && <Decide application={a} {...decide} />}
    </Paper>
  );
}

export function OnboardingPage() {
  const { t } = useTranslation("organisations");
  const session = useSession();
  const [status, setStatus] = useState<ApplicationStatus>("PENDING");
  const applications = useApplications(status);
  const approve = useApproveApplication();
  const reject = useRejectApplication();
  const decide = session.data?.role === "OPERATOR" ? { approve, reject } : undefined;
  return (
    <Stack component="section" aria-labelledby="onboarding-title">
      <Title order={2} id="onboarding-title">
        {t("onboarding.title")}
      </Title>
      <SegmentedControl
        aria-label={t("onboarding.filter")}
        value={status}
        onChange={setStatus}
        data={STATUSES.map((s) => ({ value: s, label: t(`onboarding.status.${s}`) }))}
        maw={420}
      />
      <TxProgress pending={approve.isPending} result={approve.data} error={approve.error} />
      {reject.error !== null && <ErrorNotice error={reject.error} />}
      {applications.error !== null && <ErrorNotice error={applications.error} />}
      {applications.data !== undefined && applications.data.length === 0 && <Text>{t("onboarding.empty")}</Text>}
      {(applications.data ?? []).map((a) => (
        <ApplicationCard key={a.address} application={a} decide={decide} />
      ))}
    </Stack>
  );
}
