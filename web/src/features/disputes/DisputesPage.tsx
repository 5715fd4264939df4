/**
 * Disputes and the freezes they put on lineage trees. Everyone with the right to see a tree sees its
 * disputes (the API filters); only the operator resolves them: uphold (the tree stays frozen) or release.
 */
import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useSession } from "../../app/auth";
import { ErrorNotice } from "../../app/ErrorNotice";
import { TxProgress } from "../../app/TxProgress";
import { formatDateTime } from "../../lib/dates";
import { useOrganisationLabel } from "../organisations/api";
import { useDisputes, useResolveDispute, type Dispute } from "./api";

const STATUS_COLOR: Record<Dispute["status"], string> = { OPEN: "red.9", UPHELD: "orange.9", RELEASED: "teal.9", LAPSED: "gray.8" };

function Resolve({ dispute }: { dispute: Dispute }) {
  const { t } = useTranslation("disputes");
  const resolve = useResolveDispute();
  if (dispute.status !== "OPEN" && dispute.status !== "UPHELD") return null;
  return (
    <Stack gap={4}>
      <Group gap="xs">
        {dispute.status === "OPEN" && (
          <Button size="xs" color="red.9" loading={resolve.isPending} disabled={resolve.isPending} onClick={() => resolve.mutate({ rootId: dispute.rootId, outcome: "UPHOLD" })}>
            {t("uphold", { id: dispute.rootId })}
          </Button>
        )}
        <Button size="xs" variant="default" loading={resolve.isPending} disabled={resolve.isPending} onClick={() => resolve.mutate({ rootId: dispute.rootId, outcome: "RELEASE" })}>
          {t("release", { id: dispute.rootId })}
        </Button>
      </Group>
      <TxProgress pending={resolve.isPending} result={resolve.data} error={resolve.error} />
    </Stack>
  );
}

export function DisputesPage() {
  const { t, i18n } = useTranslation("disputes");
  const session = useSession();
  const disputes = useDisputes();
  const label = useOrganisationLabel();
  const isOperator = session.data?.role === "OPERATOR";
  return (
    <Stack component="section" aria-labelledby="disputes-title">
      <Title order={2} id="disputes-title">
        {t("title")}
      </Title>
      {disputes.error !== null && <ErrorNotice error={disputes.error} />}
      {disputes.data !== undefined && disputes.data.length === 0 && <Text>{t("empty")}</Text>}
      {(disputes.data ?? []).length > 0 && (
        <Table.ScrollContainer minWidth={900}>
          <Table>
            <Table.Caption>{t("caption")}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("column.tree")}</Table.Th>
                <Table.Th>{t("column.status")}</Table.Th>
                <Table.Th>{t("column.raiser")}</Table.Th>
                <Table.Th>{t("column.raisedAt")}</Table.Th>
                <Table.Th>{t("column.expiresAt")}</Table.Th>
                <Table.Th>{t("column.evidence")}</Table.Th>
                {isOperator && <Table.Th>{t("column.resolve")}</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(disputes.data ?? []).map((d) => (
                <Table.Tr key={`${d.rootId}-${d.raisedAt}`}>
                  <Table.Td>
                    <Anchor component={Link} to={`/receivables/${d.rootId}`}>
                      {d.rootId}
                    </Anchor>
                    <Text size="xs">{t("issuer", { issuer: label(d.issuer) })}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="filled" color={STATUS_COLOR[d.status]}>
                      {t(`status.${d.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{label(d.raiser)}</Table.Td>
                  <Table.Td>{formatDateTime(d.raisedAt, i18n.language)}</Table.Td>
                  <Table.Td>{d.expiresAt === null ? t("noEnd") : formatDateTime(d.expiresAt, i18n.language)}</Table.Td>
                  <Table.Td>
                    <Text size="xs" style={{ wordBreak: "break-all" }}>
                      {d.evidenceHash}
                    </Text>
                  </Table.Td>
                  {isOperator && (
                    <Table.Td>
                      <Resolve dispute={d} />
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
