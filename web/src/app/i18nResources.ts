/** Every namespace of the app's words (no DOM here: test/web/i18n.test.ts reads this module in Node). */
import { approvalsText } from "../features/approvals/i18n";
import { auditText } from "../features/audit/i18n";
import { chainText } from "../features/chain/i18n";
import { disputesText } from "../features/disputes/i18n";
import { financingText } from "../features/financing/i18n";
import { invoicesText } from "../features/invoices/i18n";
import { ledgerText } from "../features/ledger/i18n";
import { notificationsText } from "../features/notifications/i18n";
import { organisationsText } from "../features/organisations/i18n";
import { settlementText } from "../features/settlement/i18n";
import { receivablesText } from "../features/receivables/i18n";
import { traceText } from "../features/trace/i18n";
import { usersText } from "../features/users/i18n";
import { appText } from "./i18nText";

export const LANGUAGES = ["en", "zh-CN"] as const;
export type Language = (typeof LANGUAGES)[number];

/** Every namespace: the feature's words in each language (test/web/i18n.test.ts checks they match). */
export const NAMESPACES = { app: appText, approvals: approvalsText, users: usersText, audit: auditText, disputes: disputesText, organisations: organisationsText, chain: chainText, financing: financingText, invoices: invoicesText, ledger: ledgerText, notifications: notificationsText, receivables: receivablesText, settlement: settlementText, trace: traceText } as const;
