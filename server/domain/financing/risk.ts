/**
 * The risk view a financier sees for each financing request: every factor with its raw value, its
 * risk points (0 = no risk signal, 1000 = strongest) and its weight, and the weighted total computed
 * from exactly those numbers. Nothing is hidden: the formula of each factor is in `basis`.
 */
import type { Reads } from "../reads";
import { perMille } from "./rates";

export interface RiskFactor {
  name: string;
  /** The raw observation, as text (amounts are decimal strings). */
  value: string;
  /** 0..1000 risk points. */
  points: number;
  /** Percent; the weights of all factors add up to 100. */
  weight: number;
  /** points × weight / 100. */
  contribution: number;
  basis: string;
}

export interface RiskView {
  receivableId: string;
  issuer: string;
  factors: RiskFactor[];
  /** Σ contributions, 0..1000. */
  total: number;
  asOf: number;
}

export const RISK_WEIGHTS = {
  issuanceUsage: 25,
  repaymentHistory: 25,
  treeOverdueHistory: 20,
  tenor: 15,
  tier: 10,
  lineageDepth: 5,
} as const;

function factor(name: keyof typeof RISK_WEIGHTS, value: string, points: number, basis: string): RiskFactor {
  const clamped = Math.max(0, Math.min(1000, Math.round(points)));
  const weight = RISK_WEIGHTS[name];
  return { name, value, points: clamped, weight, contribution: Math.floor((clamped * weight) / 100), basis };
}

export async function riskViews(
  reads: Reads,
  items: readonly { receivableId: string; issuer: string; rootId: string; maturity: number; depth: number; tier: number }[],
  nowSec: number,
): Promise<Map<string, RiskView>> {
  const issuers = [...new Set(items.map((i) => i.issuer))];
  const rootIds = [...new Set(items.map((i) => i.rootId))];
  const [lines, pools, roots] = await Promise.all([reads.issuanceLimits(issuers), reads.maturedPools(issuers, nowSec), reads.roots(rootIds, nowSec)]);
  const lineOf = new Map(lines.map((l) => [l.coreEnterprise, l]));
  const rootOf = new Map(roots.map((r) => [r.rootId, r]));
  const out = new Map<string, RiskView>();
  for (const item of items) {
    const line = lineOf.get(item.issuer);
    const used = BigInt(line?.issued ?? "0");
    const limit = BigInt(line?.issuanceLimit ?? "0");
    const matured = pools.filter((p) => p.issuer === item.issuer);
    const paidInFull = matured.filter((p) => BigInt(p.deposited) >= BigInt(p.face)).length;
    const marked = matured.filter((p) => p.overdueMarked).length;
    const shortfall = matured.length - paidInFull;
    const root = rootOf.get(item.rootId);
    // Trees are marked overdue pool by pool (issuer, currency, maturity); the obligor's marked pools count them.
    const overduePools = marked;
    const days = Math.max(0, Math.floor((item.maturity - nowSec) / 86_400));
    const factors = [
      factor("issuanceUsage", `${used} of ${limit}`, limit === 0n ? 1000 : perMille(used, limit), "issued and unpaid ÷ the obligor's issuance limit (set by the operator), per mille"),
      factor(
        "repaymentHistory",
        `${matured.length} matured pools: ${paidInFull} paid in full, ${shortfall} short, ${marked} marked overdue`,
        matured.length === 0 ? 500 : (shortfall * 1000) / matured.length,
        "share of the obligor's matured repayment pools not paid in full (500 when it has no history yet)",
      ),
      factor(
        "treeOverdueHistory",
        `tree overdue: ${root?.overdue === true}, frozen: ${root?.frozen === true}, obligor's pools marked overdue: ${overduePools}`,
        root?.overdue === true ? 1000 : root?.frozen === true ? 700 : Math.min(1000, overduePools * 250),
        "1000 if this tree is overdue, 700 if frozen (disputed), else 250 per repayment pool of the obligor marked overdue",
      ),
      factor("tenor", `${days} days`, (Math.min(days, 365) * 1000) / 365, "days to maturity, capped at 365, scaled to 1000"),
      factor("tier", `tier ${item.tier}`, (Math.min(item.tier - 1, 9) * 1000) / 9, "distance from the obligor: tier 1 = 0, tier 10 or more = 1000"),
      factor("lineageDepth", `depth ${item.depth}`, item.depth * 100, "splits between the invoice and this receivable, 100 per level"),
    ];
    out.set(item.receivableId, {
      receivableId: item.receivableId,
      issuer: item.issuer,
      factors,
      total: factors.reduce((s, f) => s + f.contribution, 0),
      asOf: nowSec,
    });
  }
  return out;
}
