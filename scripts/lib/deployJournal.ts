// Makes a deployment resumable. Every transaction the deploy code sends goes through a JournalSigner:
// it takes the nonce from its own counter (never ethers' per-send lookup, which a node mining instantly
// answers stale and which fails "nonce too low"), signs locally, writes the signed transaction to the
// journal file, and only then broadcasts. A later run of the same deployment (same chain, same inputs,
// same compiled contracts) replays the deploy code against the journal: a transaction it already sent
// and that was mined is answered from the chain instead of being sent again, one that is still pending
// is re-broadcast, one whose nonce another transaction took makes the run stop with a clear message.
// So the deploy code itself (scripts/deploySystem.ts) stays a plain sequence of sends that knows
// nothing about resuming. What this module must never do: send a transaction it has not journalled.
import fs from "node:fs";
import path from "node:path";
import {
  AbstractSigner,
  Transaction,
  keccak256,
  type Provider,
  type TransactionRequest,
  type TransactionResponse,
  type TypedDataDomain,
  type TypedDataField,
  type Wallet,
} from "ethers";

export interface JournalTransaction {
  from: string;
  nonce: number;
  /** Lower-case target, null for a contract creation. */
  to: string | null;
  value: string;
  /** keccak256 of the calldata / init code: what a replayed send is matched on. */
  dataHash: string;
  hash: string;
  /** The signed transaction, re-broadcast when the node lost it. */
  raw: string;
  status: "sent" | "mined" | "reverted";
}

export interface JournalFile {
  version: 1;
  network: string;
  chainId: number;
  genesisHash: string;
  /** What was being deployed; a run with other inputs must not resume this one. */
  inputs: Record<string, string>;
  startedAt: string;
  transactions: JournalTransaction[];
}

/** A half-finished deployment that cannot be resumed as it stands; the message says why and what to do. */
export class DeploymentRefusedError extends Error {
  override name = "DeploymentRefusedError";
}

export class DeployJournal {
  private readonly consumed = new Set<string>();
  private readonly nextNonce = new Map<string, number>();
  /** Sends are serialised: one signed, journalled and broadcast at a time, in nonce order. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    readonly data: JournalFile,
    private readonly provider: Provider,
    private readonly log: (line: string) => void,
  ) {}

  /** Opens the journal at `file`: a fresh one, or the one a previous run left (checked and reconciled with the chain). */
  static async open(input: {
    file: string;
    provider: Provider;
    network: string;
    chainId: number;
    genesisHash: string;
    inputs: Record<string, string>;
    log?: (line: string) => void;
  }): Promise<DeployJournal> {
    const log = input.log ?? (() => {});
    if (!fs.existsSync(input.file)) {
      const data: JournalFile = {
        version: 1,
        network: input.network,
        chainId: input.chainId,
        genesisHash: input.genesisHash,
        inputs: input.inputs,
        startedAt: new Date().toISOString(),
        transactions: [],
      };
      const journal = new DeployJournal(input.file, data, input.provider, log);
      journal.flush();
      return journal;
    }
    const data = JSON.parse(fs.readFileSync(input.file, "utf8")) as JournalFile;
    const moveAside = `move ${input.file} aside to start a new deployment (the contracts it created stay on chain, unused)`;
    if (data.chainId !== input.chainId || data.genesisHash !== input.genesisHash) {
      throw new DeploymentRefusedError(
        `the half-finished deployment in ${input.file} was made on chain ${data.chainId} (genesis ${data.genesisHash}); this node is chain ${input.chainId} (genesis ${input.genesisHash}). ${moveAside}`,
      );
    }
    const differing = [...new Set([...Object.keys(data.inputs), ...Object.keys(input.inputs)])].filter((k) => data.inputs[k] !== input.inputs[k]);
    if (differing.length > 0) {
      throw new DeploymentRefusedError(
        `the half-finished deployment in ${input.file} was started with other inputs (${differing.join(", ")} differ); resume it with the same configuration and compiled contracts, or ${moveAside}`,
      );
    }
    const journal = new DeployJournal(input.file, data, input.provider, log);
    log(`resuming the deployment started ${data.startedAt} (${data.transactions.length} transactions journalled)`);
    await journal.reconcile(moveAside);
    return journal;
  }

  /** Brings every journalled transaction to a final state: mined, reverted, or re-broadcast and then mined. */
  private async reconcile(moveAside: string): Promise<void> {
    for (const tx of this.data.transactions) {
      if (tx.status !== "sent") continue;
      let receipt = await this.provider.getTransactionReceipt(tx.hash);
      if (receipt === null) {
        const used = await this.provider.getTransactionCount(tx.from, "latest");
        if (used > tx.nonce) {
          throw new DeploymentRefusedError(
            `journalled transaction ${tx.hash} (nonce ${tx.nonce} of ${tx.from}) was never mined and another transaction took its nonce; the deployment cannot resume safely. ${moveAside}`,
          );
        }
        this.log(`re-broadcasting ${tx.hash} (nonce ${tx.nonce} of ${tx.from})`);
        await this.provider.broadcastTransaction(tx.raw).catch((e: unknown) => {
          // "already known": the node still had it. Anything else shows up as a missing receipt below.
          this.log(`  node answered: ${(e as Error).message.split("\n")[0]}`);
        });
        receipt = await this.provider.waitForTransaction(tx.hash, 1, 120_000);
        if (receipt === null) throw new DeploymentRefusedError(`journalled transaction ${tx.hash} was not mined within 2 minutes; run the command again later`);
      }
      tx.status = receipt.status === 1 ? "mined" : "reverted";
    }
    this.flush();
  }

  /** A signer for `wallet` whose sends go through this journal. */
  signer(wallet: Wallet): JournalSigner {
    return new JournalSigner(this, wallet.connect(this.provider));
  }

  /** Journals and broadcasts (or replays) one transaction; serialised across every signer of the journal. */
  send(wallet: Wallet, request: TransactionRequest, populate: (tx: TransactionRequest) => Promise<TransactionRequest>): Promise<TransactionResponse> {
    const run = this.queue.then(() => this.sendNow(wallet, request, populate));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async sendNow(wallet: Wallet, request: TransactionRequest, populate: (tx: TransactionRequest) => Promise<TransactionRequest>): Promise<TransactionResponse> {
    const from = wallet.address.toLowerCase();
    const to = request.to === undefined || request.to === null ? null : String(await resolveTo(request.to)).toLowerCase();
    const value = BigInt(request.value ?? 0).toString();
    const dataHash = keccak256(request.data ?? "0x");
    const replay = this.data.transactions.find(
      (t) => t.status === "mined" && !this.consumed.has(t.hash) && t.from === from && t.to === to && t.value === value && t.dataHash === dataHash,
    );
    if (replay !== undefined) {
      this.consumed.add(replay.hash);
      const response = await this.provider.getTransaction(replay.hash);
      if (response === null) throw new DeploymentRefusedError(`journalled transaction ${replay.hash} has a receipt but the node does not return it`);
      this.log(`  already done: ${replay.hash}`);
      return response;
    }
    const nonce = await this.unsentNonce(from);
    const populated = await populate({ ...request, from: wallet.address, nonce });
    const raw = await wallet.signTransaction(populated);
    const signed = Transaction.from(raw);
    const entry: JournalTransaction = { from, nonce, to, value, dataHash, hash: signed.hash!, raw, status: "sent" };
    this.data.transactions.push(entry);
    this.flush(); // before the broadcast: a crash from here on leaves a transaction the next run can find
    this.nextNonce.set(from, nonce + 1);
    this.consumed.add(entry.hash);
    return this.provider.broadcastTransaction(raw);
  }

  /**
   * The nonce `wallet`'s next new transaction will take (what deploy code that predicts a contract's
   * address asks for); waits for the sends already queued.
   */
  nonceOf(wallet: Wallet): Promise<number> {
    return this.queue.then(() => this.unsentNonce(wallet.address.toLowerCase()));
  }

  /**
   * The journal's own counter once it has sent; before that, the chain's count. The higher of "pending" and
   * "latest": anvil with interval mining can answer "pending" below "latest" just after a block.
   */
  private async unsentNonce(from: string): Promise<number> {
    const next = this.nextNonce.get(from);
    if (next !== undefined) return next;
    const [pending, latest] = await Promise.all([this.provider.getTransactionCount(from, "pending"), this.provider.getTransactionCount(from, "latest")]);
    return Math.max(pending, latest);
  }

  /** Marks what the chain says about the sent transactions (called once the deploy code has finished). */
  async settle(): Promise<void> {
    for (const tx of this.data.transactions) {
      if (tx.status !== "sent") continue;
      const receipt = await this.provider.getTransactionReceipt(tx.hash);
      if (receipt !== null) tx.status = receipt.status === 1 ? "mined" : "reverted";
    }
    this.flush();
  }

  /** Written whole to a temporary file and renamed: a crash never leaves half a journal. */
  flush(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(this.data, null, 2) + "\n");
    fs.renameSync(temp, this.file);
  }

  remove(): void {
    fs.rmSync(this.file, { force: true });
  }
}

async function resolveTo(to: NonNullable<TransactionRequest["to"]>): Promise<string> {
  if (typeof to === "string") return to;
  if ("getAddress" in to) return to.getAddress();
  return to;
}

/** An ethers signer whose transactions are journalled; everything else is the wrapped wallet's. */
export class JournalSigner extends AbstractSigner {
  constructor(
    private readonly journal: DeployJournal,
    private readonly wallet: Wallet,
  ) {
    super(wallet.provider);
  }

  override async getAddress(): Promise<string> {
    return this.wallet.address;
  }

  override connect(provider: Provider | null): JournalSigner {
    if (provider !== this.wallet.provider) throw new Error("a JournalSigner stays on its journal's provider");
    return this;
  }

  /** The journal's next nonce for this wallet, whatever the block tag: it is the one the next send takes. */
  override getNonce(): Promise<number> {
    return this.journal.nonceOf(this.wallet);
  }

  override sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    return this.journal.send(this.wallet, tx, (t) => this.populateTransaction(t));
  }

  override signTransaction(tx: TransactionRequest): Promise<string> {
    return this.wallet.signTransaction(tx);
  }

  override signMessage(message: string | Uint8Array): Promise<string> {
    return this.wallet.signMessage(message);
  }

  override signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string> {
    return this.wallet.signTypedData(domain, types, value);
  }
}
