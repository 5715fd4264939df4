// The deploy command's environment (`npm run deploy -- --network <name>`), parsed by zod. A network is
// named on the command line and described by variables: where its node is (RPC_URL), which chain it must
// be (CHAIN_ID — a deployment never goes to a chain it did not expect), who deploys and administers
// (DEPLOYER_*), who operates (OPERATOR_*), and the settlement currency. Key material is never echoed in
// an error: a bad variable is named, its value is not.
import { z } from "zod";
import { ConfigError, intVar, urlVar, addressVar, type Env } from "./env";

const privateKey = z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, "must be a 32-byte hex private key");

const schema = z
  .object({
    NETWORK: z.string().regex(/^[a-zA-Z0-9_-]+$/, "must be a deployment name like besu"),
    RPC_URL: urlVar(["http://", "https://", "ws://", "wss://"]),
    CHAIN_ID: intVar({ min: 1 }),
    /** Where the record goes; deployments/<NETWORK>.json when unset. */
    DEPLOYMENT_FILE: z.string().min(1).optional(),
    DEPLOYER_PRIVATE_KEY: privateKey.optional(),
    /** An encrypted ethers/geth JSON keystore file, unlocked with DEPLOYER_KEYSTORE_PASSPHRASE. */
    DEPLOYER_KEYSTORE: z.string().min(1).optional(),
    DEPLOYER_KEYSTORE_PASSPHRASE: z.string().min(1).optional(),
    OPERATOR_PRIVATE_KEY: privateKey.optional(),
    OPERATOR_KEYSTORE: z.string().min(1).optional(),
    OPERATOR_KEYSTORE_PASSPHRASE: z.string().min(1).optional(),
    /** The ERC-20 that stands for cash on this network. */
    SETTLEMENT_CURRENCY: addressVar().optional(),
    /** Deploys the test settlement token instead (development chains only: chain id 31337 or 1337). */
    DEPLOY_TEST_CURRENCY: z.enum(["true", "false"]).default("false"),
    TEST_CURRENCY_DECIMALS: intVar({ max: 36 }).default(2),
    MIN_PART_AMOUNT: z.string().regex(/^\d+$/, "must be a decimal integer in currency base units").optional(),
    MAX_DEPTH: intVar({ min: 1, max: 255 }).optional(),
    DEFAULT_OFFER_WINDOW_SECONDS: intVar({ min: 1 }).optional(),
    GRACE_PERIOD_SECONDS: intVar().optional(),
    /** Seconds every parameter change waits in the ledger's timelock (0 = none: development only). */
    TIMELOCK_DELAY_SECONDS: intVar().default(0),
    /** Seconds a transfer of the ledger's DEFAULT_ADMIN_ROLE waits (AccessControlDefaultAdminRules). */
    ADMIN_DELAY_SECONDS: intVar({ max: 2 ** 48 - 1 }).default(0),
    /** Seconds after which a debtor's dispute lapses unless upheld. */
    DISPUTE_PERIOD_SECONDS: intVar({ min: 1 }).optional(),
    /** How often to ask the node for receipts, in ms (ethers' default of 4 s is far slower than a 1 s chain). */
    DEPLOY_POLL_MS: intVar({ min: 10, max: 60_000 }).default(250),
  })
  .superRefine((e, ctx) => {
    const oneOf = (name: string, key: unknown, file: unknown, pass: unknown, required: boolean) => {
      if (key !== undefined && file !== undefined) ctx.addIssue({ code: "custom", path: [`${name}_PRIVATE_KEY`], message: `set ${name}_PRIVATE_KEY or ${name}_KEYSTORE, not both` });
      if (required && key === undefined && file === undefined) ctx.addIssue({ code: "custom", path: [`${name}_PRIVATE_KEY`], message: `set ${name}_PRIVATE_KEY or ${name}_KEYSTORE (+ ${name}_KEYSTORE_PASSPHRASE)` });
      if (file !== undefined && pass === undefined) ctx.addIssue({ code: "custom", path: [`${name}_KEYSTORE_PASSPHRASE`], message: `required with ${name}_KEYSTORE` });
    };
    oneOf("DEPLOYER", e.DEPLOYER_PRIVATE_KEY, e.DEPLOYER_KEYSTORE, e.DEPLOYER_KEYSTORE_PASSPHRASE, true);
    oneOf("OPERATOR", e.OPERATOR_PRIVATE_KEY, e.OPERATOR_KEYSTORE, e.OPERATOR_KEYSTORE_PASSPHRASE, false);
    const testCurrency = e.DEPLOY_TEST_CURRENCY === "true";
    if (testCurrency && e.SETTLEMENT_CURRENCY !== undefined) ctx.addIssue({ code: "custom", path: ["SETTLEMENT_CURRENCY"], message: "set SETTLEMENT_CURRENCY or DEPLOY_TEST_CURRENCY=true, not both" });
    if (!testCurrency && e.SETTLEMENT_CURRENCY === undefined) ctx.addIssue({ code: "custom", path: ["SETTLEMENT_CURRENCY"], message: "required: the address of the ERC-20 the ledger settles in" });
    if (testCurrency && !DEVELOPMENT_CHAIN_IDS.has(e.CHAIN_ID)) ctx.addIssue({ code: "custom", path: ["DEPLOY_TEST_CURRENCY"], message: `a test currency is for development chains only (chain id ${[...DEVELOPMENT_CHAIN_IDS].join(" or ")}); give SETTLEMENT_CURRENCY` });
  });

/** Chain ids of Hardhat and anvil (31337) and of geth --dev / Ganache (1337). */
export const DEVELOPMENT_CHAIN_IDS: ReadonlySet<number> = new Set([31337, 1337]);

/** Where a key comes from: a hex key in the environment or an encrypted keystore file. */
export type KeySource = { kind: "privateKey"; privateKey: string } | { kind: "keystore"; file: string; passphrase: string };

export interface DeployConfig {
  network: string;
  rpcUrl: string;
  chainId: number;
  deploymentFile?: string;
  deployer: KeySource;
  /** Absent: the deployer also operates (development only; production separates them). */
  operator?: KeySource;
  currency: { kind: "address"; address: string } | { kind: "test"; decimals: number };
  parameters: { minPartAmount?: bigint; maxDepth?: number; defaultOfferWindow?: number };
  gracePeriod?: bigint;
  timelockDelay: bigint;
  adminDelay: number;
  disputePeriod?: number;
  pollMs: number;
}

/** `--network <name>` (or `--network=<name>`) from the command line wins over NETWORK. */
export function networkArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--network") return argv[i + 1];
    if (a.startsWith("--network=")) return a.slice("--network=".length);
  }
  return undefined;
}

export function loadDeployConfig(env: Env, argv: readonly string[] = []): DeployConfig {
  const cleaned: Env = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const network = networkArgument(argv);
  if (network !== undefined) cleaned.NETWORK = network;
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    // Names only: these variables hold keys and passphrases.
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(environment)"}: ${i.message}`);
    throw new ConfigError(`invalid deploy configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const key = (pk: string | undefined, file: string | undefined, pass: string | undefined): KeySource | undefined =>
    pk !== undefined ? { kind: "privateKey", privateKey: pk.startsWith("0x") ? pk : `0x${pk}` } : file !== undefined ? { kind: "keystore", file, passphrase: pass! } : undefined;
  const operator = key(e.OPERATOR_PRIVATE_KEY, e.OPERATOR_KEYSTORE, e.OPERATOR_KEYSTORE_PASSPHRASE);
  return {
    network: e.NETWORK,
    rpcUrl: e.RPC_URL,
    chainId: e.CHAIN_ID,
    ...(e.DEPLOYMENT_FILE === undefined ? {} : { deploymentFile: e.DEPLOYMENT_FILE }),
    deployer: key(e.DEPLOYER_PRIVATE_KEY, e.DEPLOYER_KEYSTORE, e.DEPLOYER_KEYSTORE_PASSPHRASE)!,
    ...(operator === undefined ? {} : { operator }),
    currency: e.SETTLEMENT_CURRENCY !== undefined ? { kind: "address", address: e.SETTLEMENT_CURRENCY } : { kind: "test", decimals: e.TEST_CURRENCY_DECIMALS },
    parameters: {
      ...(e.MIN_PART_AMOUNT === undefined ? {} : { minPartAmount: BigInt(e.MIN_PART_AMOUNT) }),
      ...(e.MAX_DEPTH === undefined ? {} : { maxDepth: e.MAX_DEPTH }),
      ...(e.DEFAULT_OFFER_WINDOW_SECONDS === undefined ? {} : { defaultOfferWindow: e.DEFAULT_OFFER_WINDOW_SECONDS }),
    },
    ...(e.GRACE_PERIOD_SECONDS === undefined ? {} : { gracePeriod: BigInt(e.GRACE_PERIOD_SECONDS) }),
    timelockDelay: BigInt(e.TIMELOCK_DELAY_SECONDS),
    adminDelay: e.ADMIN_DELAY_SECONDS,
    ...(e.DISPUTE_PERIOD_SECONDS === undefined ? {} : { disputePeriod: e.DISPUTE_PERIOD_SECONDS }),
    pollMs: e.DEPLOY_POLL_MS,
  };
}
