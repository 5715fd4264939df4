// `npm run deploy -- --network <name>`: deploys the whole system to the network the environment describes
// (server/config/deploy.ts) and writes deployments/<name>.json, which the indexer and the API read.
//
// It runs scripts/deploySystem.ts — the code `npm start` and the test fixtures run — with journalled
// signers (scripts/lib/deployJournal.ts): every transaction is signed with an explicit nonce and written
// to deployments/<name>.journal.json before it is broadcast. So:
// - run it again after a success: it checks the recorded contracts are on the chain and does nothing;
// - run it again after a failure or a crash: it resumes, re-using every transaction that was mined, and
//   finishes the configuration (it never leaves the system half-wired without saying so);
// - a journal from another chain, other inputs or other compiled contracts is refused with what to do.
// The deployer key deploys and wires everything, then hands the ledger's DEFAULT_ADMIN_ROLE to the
// LedgerTimelock it deploys (whose proposer and executor it stays); the operator key (OPERATOR_*) gets
// OPERATOR_ROLE.
import fs from "node:fs";
import path from "node:path";
import { JsonRpcProvider, Network, Wallet, keccak256, toUtf8Bytes, type HDNodeWallet } from "ethers";
import { loadDeployConfig, type DeployConfig, type KeySource } from "../server/config/deploy";
import { ConfigError } from "../server/config/env";
import { deploymentPath, readDeploymentFile } from "../server/lib/deployment";
import { projectRoot } from "../server/lib/abi";
import { IERC20Metadata__factory } from "../typechain-types";
import { DeployJournal, DeploymentRefusedError } from "./lib/deployJournal";
import { deploySystem, writeDeploymentRecord, type DeploymentRecord } from "./deploySystem";

/** What `npm run deploy` writes: the indexer's record plus who and what, for the people who run it. */
export interface NetworkDeploymentRecord extends DeploymentRecord {
  network: string;
  genesisHash: string;
  admin: string;
  operator: string;
  currency: { address: string; symbol: string; decimals: number };
  /** The ledger's DEFAULT_ADMIN_ROLE sits with the LedgerTimelock; false while an admin delay still runs
   * (finish with completeAdminHandover, scripts/governance.ts, once it passed). */
  adminHandedOver: boolean;
  deployedAt: string;
  transactions: string[];
}

export interface DeployResult {
  file: string;
  record: NetworkDeploymentRecord;
  /** False when the record was already there and checked (nothing sent). */
  deployed: boolean;
}

export async function deployNetwork(config: DeployConfig, log: (line: string) => void = () => {}): Promise<DeployResult> {
  const file = config.deploymentFile !== undefined ? path.resolve(config.deploymentFile) : deploymentPath(config.network);
  const journalFile = file.replace(/\.json$/, "") + ".journal.json";
  const probe = new JsonRpcProvider(config.rpcUrl, undefined, { staticNetwork: true });
  let answered: bigint;
  try {
    answered = (await probe.getNetwork()).chainId;
  } finally {
    probe.destroy();
  }
  if (answered !== BigInt(config.chainId)) {
    throw new DeploymentRefusedError(`the node at RPC_URL is chain ${answered}, not CHAIN_ID ${config.chainId}: refusing to deploy to a chain you did not name`);
  }
  const provider = new JsonRpcProvider(config.rpcUrl, Network.from(config.chainId), { staticNetwork: true, pollingInterval: config.pollMs });
  try {
    const genesis = await provider.getBlock(0);
    if (genesis === null || genesis.hash === null) throw new Error("the node returned no genesis block");
    const genesisHash = genesis.hash;

    if (fs.existsSync(file)) return { file, record: await checkExisting({ file, provider, config, genesisHash }), deployed: false };

    const admin = await unlock(config.deployer, "DEPLOYER");
    const operator = config.operator === undefined ? admin : await unlock(config.operator, "OPERATOR");
    if (operator.address === admin.address) log("warning: the deployer also operates (no OPERATOR_* key): fine for development, not for production");

    const currency = config.currency.kind === "address" ? await checkCurrency(provider, config.currency.address) : undefined;
    const inputs: Record<string, string> = {
      admin: admin.address.toLowerCase(),
      operator: operator.address.toLowerCase(),
      currency: currency?.address ?? `test token, ${config.currency.kind === "test" ? config.currency.decimals : 0} decimals`,
      parameters: JSON.stringify(config.parameters, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
      gracePeriod: config.gracePeriod?.toString() ?? "default",
      timelockDelay: config.timelockDelay.toString(),
      adminDelay: String(config.adminDelay),
      disputePeriod: config.disputePeriod?.toString() ?? "default",
      contracts: compiledCodeHash(),
    };
    const journal = await DeployJournal.open({ file: journalFile, provider, network: config.network, chainId: config.chainId, genesisHash, inputs, log });
    const adminSigner = journal.signer(admin);
    const operatorSigner = operator === admin ? adminSigner : journal.signer(operator);
    log(`deploying to ${config.network} (chain ${config.chainId}) as admin ${admin.address}, operator ${operator.address}`);
    let system;
    try {
      system = await deploySystem({
        admin: adminSigner,
        operator: operatorSigner,
        parameters: config.parameters,
        ...(currency === undefined ? {} : { currency: currency.address }),
        ...(config.currency.kind === "test" ? { currencyDecimals: config.currency.decimals } : {}),
        ...(config.gracePeriod === undefined ? {} : { gracePeriod: config.gracePeriod }),
        timelockDelay: config.timelockDelay,
        adminDelay: config.adminDelay,
        ...(config.disputePeriod === undefined ? {} : { disputePeriod: config.disputePeriod }),
      });
    } catch (e) {
      await journal.settle().catch(() => undefined);
      throw new DeploymentIncompleteError(
        `the deployment stopped half-way: ${(e as Error).message.split("\n")[0]}\n` +
          `Its transactions are journalled in ${journalFile}; fix the cause and run the same command again to resume (mined transactions are not sent twice).`,
      );
    }
    await journal.settle();
    const symbolAndDecimals = currency ?? (await checkCurrency(provider, system.settlement.currency));
    const record: NetworkDeploymentRecord = {
      ...system.record,
      network: config.network,
      genesisHash,
      admin: admin.address,
      operator: operator.address,
      currency: symbolAndDecimals,
      adminHandedOver: system.adminHandedOver,
      deployedAt: new Date().toISOString(),
      transactions: journal.data.transactions.filter((t) => t.status === "mined").map((t) => t.hash),
    };
    writeDeploymentRecord(file, record);
    journal.remove();
    return { file, record, deployed: true };
  } finally {
    provider.destroy();
  }
}

/** A deployment that failed part-way; its journal lets the next run resume. */
export class DeploymentIncompleteError extends Error {
  override name = "DeploymentIncompleteError";
}

async function unlock(source: KeySource, name: string): Promise<Wallet> {
  if (source.kind === "privateKey") return new Wallet(source.privateKey);
  let json: string;
  try {
    json = fs.readFileSync(source.file, "utf8");
  } catch (e) {
    throw new ConfigError(`${name}_KEYSTORE: cannot read ${source.file} (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  let wallet: Wallet | HDNodeWallet;
  try {
    wallet = await Wallet.fromEncryptedJson(json, source.passphrase);
  } catch {
    throw new ConfigError(`${name}_KEYSTORE: cannot decrypt ${source.file} (wrong ${name}_KEYSTORE_PASSPHRASE or not a JSON keystore)`);
  }
  return new Wallet(wallet.privateKey);
}

async function checkCurrency(provider: JsonRpcProvider, address: string): Promise<{ address: string; symbol: string; decimals: number }> {
  if ((await provider.getCode(address)) === "0x") throw new DeploymentRefusedError(`SETTLEMENT_CURRENCY ${address} has no contract code on this chain`);
  const token = IERC20Metadata__factory.connect(address, provider);
  try {
    const [decimals, symbol] = await Promise.all([token.decimals(), token.symbol()]);
    return { address: address.toLowerCase(), symbol, decimals: Number(decimals) };
  } catch {
    throw new DeploymentRefusedError(`SETTLEMENT_CURRENCY ${address} does not answer decimals() and symbol(): not an ERC-20`);
  }
}

/** An existing record: the same chain and contracts still there means done; anything else is refused. */
async function checkExisting(input: { file: string; provider: JsonRpcProvider; config: DeployConfig; genesisHash: string }): Promise<NetworkDeploymentRecord> {
  readDeploymentFile(input.file); // the indexer's view of it must parse
  const record = JSON.parse(fs.readFileSync(input.file, "utf8")) as NetworkDeploymentRecord;
  const aside = `move ${input.file} aside to deploy again`;
  if (record.chainId !== input.config.chainId) throw new DeploymentRefusedError(`${input.file} records a deployment on chain ${record.chainId}, not ${input.config.chainId}; ${aside}`);
  if (record.genesisHash !== undefined && record.genesisHash !== input.genesisHash) {
    throw new DeploymentRefusedError(`${input.file} records a deployment on another chain with the same id (genesis ${record.genesisHash}, the node has ${input.genesisHash}: was it reset?); ${aside}`);
  }
  for (const [name, address] of Object.entries(record.contracts)) {
    if ((await input.provider.getCode(address)) === "0x") throw new DeploymentRefusedError(`${input.file}: ${name} ${address} has no code on this chain; ${aside}`);
  }
  return record;
}

/** One hash over every compiled contract's bytecode: a journal from other contracts must not be resumed. */
function compiledCodeHash(): string {
  const root = path.join(projectRoot, "artifacts", "contracts");
  const codes: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".json") && !entry.name.endsWith(".dbg.json")) {
        const bytecode = (JSON.parse(fs.readFileSync(full, "utf8")) as { bytecode?: string }).bytecode;
        if (bytecode !== undefined && bytecode !== "0x") codes.push(`${path.relative(root, full)}:${bytecode}`);
      }
    }
  };
  walk(root);
  return keccak256(toUtf8Bytes(codes.join("\n")));
}

async function main(): Promise<void> {
  const config = loadDeployConfig(process.env, process.argv.slice(2));
  const result = await deployNetwork(config, (line) => console.log(line));
  const { record } = result;
  console.log(result.deployed ? `deployed to ${record.network} (chain ${record.chainId}):` : `already deployed to ${record.network} (chain ${record.chainId}); nothing to do:`);
  for (const [name, address] of Object.entries(record.contracts)) console.log(`  ${name.padEnd(20)} ${address}`);
  console.log(`  admin ${record.admin} (through the timelock${record.adminHandedOver ? "" : ": handover pending until the admin delay passed"}), operator ${record.operator}, currency ${record.currency.symbol} (${record.currency.decimals} decimals)`);
  console.log(`  record: ${path.relative(process.cwd(), result.file)} (start block ${record.startBlock})`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof ConfigError || e instanceof DeploymentRefusedError || e instanceof DeploymentIncompleteError ? e.message : e);
    process.exit(1);
  });
}
