/**
 * The organisation directory: every registered organisation's legal name, role, unified social credit
 * code and status, searchable by part of a name or the start of the code. It shows what counterparties
 * need to know and nothing else (the API never sends contact details or bank accounts here).
 */
import { Badge, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useDeferredValue, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../../app/ErrorNotice";
import { useDirectory } from "./api";

export function DirectoryPage() {
  const { t } = useTranslation("organisations");
  const [search, setSearch] = useState("");
  const q = useDeferredValue(search);
  const directory = useDirectory(q);
  const items = directory.data ?? [];
  return (
    <Stack component="section" aria-labelledby="directory-title">
      <Title order={2} id="directory-title">
        {t("directory.title")}
      </Title>
      <TextInput label={t("directory.search")} description={t("directory.searchHelp")} value={search} onChange={(e) => setSearch(e.currentTarget.value)} maw={480} />
      {directory.error !== null && <ErrorNotice error={directory.error} />}
      {directory.data !== undefined && items.length === 0 && <Text>{t("directory.empty")}</Text>}
      {items.length > 0 && (
        <Table.ScrollContainer minWidth={800}>
          <Table>
            <Table.Caption>{t("directory.caption")}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("column.organisation")}</Table.Th>
                <Table.Th>{t("column.role")}</Table.Th>
                <Table.Th>{t("directory.creditCode")}</Table.Th>
                <Table.Th>{t("column.status")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((o) => (
                <Table.Tr key={o.address}>
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {o.name ?? t("directory.noProfile")}
                    </Text>
                    {o.nameEn !== null && <Text size="xs">{o.nameEn}</Text>}
                    <Text size="xs" style={{ wordBreak: "break-all" }}>
                      {o.address}
                    </Text>
                  </Table.Td>
                  <Table.Td>{t(`role.${o.role}`)}</Table.Td>
                  <Table.Td>{o.creditCode ?? "—"}</Table.Td>
                  <Table.Td>
                    <Badge variant="filled" color={o.status === "ACTIVE" ? "teal.9" : "red.9"}>
                      {o.status === "ACTIVE" ? t("active") : t("suspended")}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
