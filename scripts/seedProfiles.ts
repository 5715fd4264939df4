// Profiles of the demo organisations (issue 12 item 1): legal names in Chinese and English, a unified
// social credit code with its correct GB 32100-2015 check character, registered address, contact and a
// settlement bank account (encrypted at rest by the API's profile service). Written through the same
// service the API uses, after the organisations are registered on chain and indexed; the demo codes are
// made up (division 310115, Shanghai Pudong) and valid only in form.
import type { Principal } from "../server/auth/principal";
import { creditCodeCheckCharacter } from "../server/domain/organisations/creditCode";
import type { ProfileInput, ProfileService } from "../server/domain/organisations/profiles";

/** The demo organisations by part (what `seedDemoWorld` answers, or any world shaped like it). */
interface DemoAddresses {
  coreEnterprise: { address: string };
  suppliers: readonly [{ address: string }, { address: string }, { address: string }];
  banks: readonly [{ address: string }, { address: string }];
}

interface DemoProfileSource {
  zh: string;
  en: string;
  bank: string;
}

const SOURCES: Record<"core" | "tier1" | "tier2" | "tier3" | "bankA" | "bankB", DemoProfileSource> = {
  core: { zh: "华东重工装备集团有限公司", en: "East China Heavy Equipment Group Co., Ltd.", bank: "中国工商银行上海分行" },
  tier1: { zh: "上海精密部件制造有限公司", en: "Shanghai Precision Components Co., Ltd.", bank: "中国建设银行上海浦东分行" },
  tier2: { zh: "苏州金属材料有限公司", en: "Suzhou Metal Materials Co., Ltd.", bank: "中国农业银行苏州分行" },
  tier3: { zh: "昆山紧固件加工厂", en: "Kunshan Fastener Works", bank: "中国银行昆山支行" },
  bankA: { zh: "甲银行股份有限公司上海分行", en: "Bank A Co., Ltd. Shanghai Branch", bank: "甲银行股份有限公司上海分行" },
  bankB: { zh: "乙银行股份有限公司上海分行", en: "Bank B Co., Ltd. Shanghai Branch", bank: "乙银行股份有限公司上海分行" },
};

/** A demo code: authority 9 (market regulation), category 1 (enterprise), Shanghai Pudong, a made-up organisation code. */
export function demoCreditCode(index: number): string {
  const first17 = `91310115MA1LL${String(index).padStart(4, "0")}`;
  return first17 + creditCodeCheckCharacter(first17);
}

export function demoProfiles(world: DemoAddresses): { address: string; profile: ProfileInput }[] {
  const orgs = [
    [world.coreEnterprise, SOURCES.core],
    [world.suppliers[0], SOURCES.tier1],
    [world.suppliers[1], SOURCES.tier2],
    [world.suppliers[2], SOURCES.tier3],
    [world.banks[0], SOURCES.bankA],
    [world.banks[1], SOURCES.bankB],
  ] as const;
  return orgs.map(([org, src], i) => ({
    address: org.address.toLowerCase(),
    profile: {
      legalName: { zh: src.zh, en: src.en },
      creditCode: demoCreditCode(i + 1),
      registeredAddress: `上海市浦东新区张江路${100 + i}号`,
      contact: { name: "财务部", phone: `+86 21 5080 ${String(1000 + i)}`, email: `finance@demo-${i + 1}.example` },
      bankAccount: { name: src.zh, bank: src.bank, number: `62220210010${String(20261130 + i)}` },
    },
  }));
}

/** Writes each demo organisation's profile as the operator would (APPROVED: they are registered already). */
export async function seedDemoProfiles({ profiles, world }: { profiles: ProfileService; world: DemoAddresses }): Promise<void> {
  const seeder: Principal = { kind: "OPERATOR", credentialId: "seed" };
  for (const { address, profile } of demoProfiles(world)) await profiles.put(seeder, address, profile);
}
