// The indexer: follows the chain from the stored checkpoint and applies every event of the project's
// contracts to the database, exactly once, through crashes and reorganisations.
//
// - Backfill: blocks more than REORG_WINDOW behind the target (head - CONFIRMATIONS) are read with
//   eth_getLogs over all contracts in adaptive ranges and applied in batches of whole blocks, without
//   an undo journal (a reorg that deep is fatal anyway).
// - Follow: recent blocks are read header by header; each header's parent hash must match the stored
//   hash of the block before, and logs are read by block hash (so they belong to exactly that block).
//   Their changes are journalled so a reorg can be undone.
// - Each transaction covers whole blocks and moves the checkpoint with them: a crash leaves a block
//   either fully applied or not at all. Restarting continues from the checkpoint.
// - A parent-hash mismatch walks back through the stored hashes to the common ancestor, rolls the
//   orphaned blocks back, and continues. Deeper than the window: ReorgTooDeepError (fatal), unless the
//   node is another chain altogether (other genesis, head far below): ChainResetError, the same answer
//   a restart gives. A mismatch while the checkpoint block is still on the chain is no reorganisation
//   but a node serving inconsistent blocks: ChainInconsistentError, retried with backoff, never a spin.
// - RPC and database errors are retried with exponential backoff, each retry logged at warn and
//   recorded as phase "stalled" + last_error (what /ready reports); unknown logs, a reset chain or a
//   second writer are fatal (see server/lib/errors.ts).
import { keccak256 } from "ethers";
import type { Db } from "../db/client";
import { DEFAULT_HEARTBEAT_MS, type IndexerConfig } from "../config/indexer";
import { INDEXED_CONTRACTS, type Deployment } from "../lib/deployment";
import { toJson } from "../lib/encode";
import {
  ChainInconsistentError,
  ChainResetError,
  DeploymentMismatchError,
  FatalError,
  InconsistentReadError,
  IndexerError,
  RangeTooLargeError,
  ReorgTooDeepError,
  RetryableError,
  UnknownLogError,
} from "../lib/errors";
import type { Logger } from "../lib/logger";
import { bloomMayContain, createRpc, type BlockHeader, type RawLog, type RpcTransport } from "../lib/rpc";
import { createDecoder, type DecodedLog, type Decoder } from "./decode";
import { acquireWriterLock, type WriterLock } from "./lock";
import { HANDLERS, handlerKey, RECORDED_ONLY } from "./projections";
import { NOTIFIERS, resolveNotices } from "./notifications";
import { writeNotifications } from "../notifications/outbox";
import { Store, type BlockRecord, type IndexerStateRow } from "./store";
import { Unit } from "./unit";

export interface IndexerDeps {
  /** JSON-RPC transport: ethers JsonRpcProvider, Hardhat's network.provider, or createHttpTransport(url). */
  provider: RpcTransport;
  db: Pick<Db, "sql" | "url" | "dialect">;
  config: IndexerConfig;
  deployment: Deployment;
  logger: Logger;
  /** Takes the PostgreSQL writer lock in start() (default true). */
  useWriterLock?: boolean;
}

export interface IndexerStatus {
  /** "stalled": retrying after an error (lastError says which) without progress since. */
  phase: "idle" | "starting" | "backfill" | "live" | "stalled" | "stopped" | "failed";
  head: number;
  checkpoint: number;
  lag: number;
  eventsPerSecond: number;
  eventsTotal: bigint;
  lastError?: string;
}

export interface Indexer {
  /** Runs until stop() (resolves) or a fatal error (rejects). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Indexes up to `block` (default: head - confirmations), once, without retries; for tests and scripts. */
  syncTo(block?: number): Promise<IndexerStatus>;
  status(): IndexerStatus;
}

interface BlockWork {
  header: BlockRecord;
  logs: DecodedLog[];
}

const sleep = (ms: number, wake?: { wake?: () => void }) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    if (wake)
      wake.wake = () => {
        clearTimeout(t);
        resolve();
      };
  });

const record = (h: BlockHeader): BlockRecord => ({ number: h.number, hash: h.hash, parentHash: h.parentHash, timestamp: h.timestamp });

export function createIndexer(deps: IndexerDeps): Indexer {
  const { config, logger } = deps;
  const rpc = createRpc(deps.provider);
  const store = new Store(deps.db.sql);
  const indexed: Record<string, string> = {};
  for (const name of INDEXED_CONTRACTS) if (deps.deployment.contracts[name]) indexed[name] = deps.deployment.contracts[name]!;
  const decoder: Decoder = createDecoder(indexed);
  const contractsJson = toJson(Object.fromEntries(Object.entries(indexed).sort()));
  const keccak = (hex: string) => keccak256(hex);

  let state: IndexerStateRow | undefined;
  let range = config.blockRange;
  let stopped = false;
  let running: Promise<void> | undefined;
  const sleeper: { wake?: () => void } = {};
  const status: IndexerStatus = { phase: "idle", head: 0, checkpoint: -1, lag: 0, eventsPerSecond: 0, eventsTotal: 0n };
  const rate: { t: number; n: number }[] = [];
  let lastProgressLog = 0;
  let lastHeartbeat = 0;

  function noteEvents(n: number): number {
    const now = Date.now();
    rate.push({ t: now, n });
    while (rate.length && now - rate[0]!.t > 5_000) rate.shift();
    // Events of the last 5 s over that span, at least one second (a lone batch is not a rate).
    const span = Math.max(1_000, now - rate[0]!.t) / 1000;
    return rate.reduce((s, r) => s + r.n, 0) / span;
  }

  function refreshStatus(): void {
    if (!state) return;
    status.checkpoint = state.checkpointBlock;
    status.eventsTotal = state.eventsTotal;
    status.lag = Math.max(0, status.head - state.checkpointBlock);
  }

  async function genesisHash(): Promise<string> {
    const genesis = await rpc.header(0);
    if (!genesis) throw new IndexerError("NO_GENESIS", "the node has no block 0", { retryable: true });
    return genesis.hash;
  }

  /**
   * Throws ChainResetError when the node is not the chain the database indexed: another chain id or
   * genesis, or a head far below the checkpoint. Asked at start-up and again when a walk-back finds
   * no common ancestor, so a node reset is reported the same way whether the indexer was running
   * through it or restarted after it.
   */
  async function assertSameChain(st: IndexerStateRow, chainId?: number): Promise<number> {
    chainId ??= await rpc.chainId();
    const genesis = await genesisHash();
    if (st.genesisHash !== genesis || st.chainId !== BigInt(chainId)) {
      throw new ChainResetError(
        `the chain was reset: the database indexed chain ${st.chainId} with genesis ${st.genesisHash}, the node is chain ${chainId} with genesis ${genesis}. ` +
          `Use a fresh database (or resetChainTables) to index this chain.`,
      );
    }
    const head = await rpc.blockNumber();
    if (st.checkpointHash !== null && head < st.checkpointBlock - config.reorgWindow) {
      throw new ChainResetError(
        `the chain was reset: its head ${head} is far below the checkpoint ${st.checkpointBlock} (more than the reorg window of ${config.reorgWindow}). ` +
          `Use a fresh database (or resetChainTables) to index this chain.`,
      );
    }
    return head;
  }

  async function init(): Promise<void> {
    const chainId = await rpc.chainId();
    if (deps.deployment.chainId !== undefined && deps.deployment.chainId !== chainId) {
      throw new DeploymentMismatchError(`the node is chain ${chainId} but the deployment record says chain ${deps.deployment.chainId}`);
    }
    let st = await store.readState();
    if (!st) {
      await store.initState({ chainId, genesisHash: await genesisHash(), contracts: contractsJson, startBlock: deps.deployment.startBlock });
      st = (await store.readState())!;
      logger.info({ chainId, startBlock: st.startBlock, contracts: indexed }, "indexer: new database, indexing from the start block");
    } else {
      const head = await assertSameChain(st, chainId);
      if (st.contracts !== contractsJson) {
        throw new DeploymentMismatchError(`the database indexes ${st.contracts} but the deployment is ${contractsJson}; use a fresh database for a new deployment`);
      }
      logger.info({ checkpoint: st.checkpointBlock, head }, "indexer: resuming from the checkpoint");
    }
    // Every start records its CONFIRMATIONS (a restart may change it): the API answers writes from it.
    await store.setConfirmations(config.confirmations);
    state = st;
    refreshStatus();
  }

  function decodeAll(raw: RawLog[]): DecodedLog[] {
    const out: DecodedLog[] = [];
    for (const l of raw) {
      if (l.removed) throw new InconsistentReadError(`the node returned a removed log in block ${l.blockNumber}`);
      const d = decoder.decode(l);
      const key = handlerKey(d);
      if (!HANDLERS[key] && !RECORDED_ONLY.has(key)) {
        throw new UnknownLogError(`${key} (tx ${d.txHash}, log ${d.logIndex}) has no projection; the indexer must learn it before indexing further`);
      }
      out.push(d);
    }
    return out.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  }

  /** Applies whole blocks in one transaction and moves the checkpoint to `last`. */
  async function apply(work: BlockWork[], last: BlockRecord, o: { journal: boolean; storeBlocks: BlockRecord[]; phase: "backfill" | "live" }): Promise<void> {
    const st = state!;
    const unit = new Unit(store.tables);
    const needs = new Map<string, Set<string>>();
    for (const b of work) {
      for (const log of b.logs) {
        const h = HANDLERS[handlerKey(log)];
        if (!h) continue;
        for (const [table, key] of h.needs(log.args, log)) {
          let s = needs.get(table);
          if (!s) needs.set(table, (s = new Set()));
          s.add(key);
        }
      }
    }
    const count = work.reduce((s, b) => s + b.logs.length, 0);
    const eventsPerSecond = noteEvents(count);
    await deps.db.sql.transaction(async (tx) => {
      await store.preload(tx, unit, needs);
      for (const b of work) {
        unit.beginBlock(b.header.number, o.journal);
        for (const log of b.logs) {
          unit.append("chain_event", {
            block_number: BigInt(log.blockNumber),
            log_index: log.logIndex,
            block_hash: log.blockHash,
            block_timestamp: b.header.timestamp,
            tx_hash: log.txHash,
            tx_index: log.txIndex,
            contract: log.contract,
            contract_name: log.contractName,
            event_name: log.eventName,
            args: toJson(log.args),
          });
          const h = HANDLERS[handlerKey(log)];
          if (h) {
            try {
              h.apply(unit, { log, block: b.header.number, timestamp: b.header.timestamp });
              const notifier = NOTIFIERS[handlerKey(log)];
              if (notifier) for (const n of notifier.notices(log.args, unit)) unit.notices.push({ ...n, log, timestamp: b.header.timestamp });
            } catch (e) {
              throw new FatalError("PROJECTION_FAILED", `${handlerKey(log)} in tx ${log.txHash} (block ${log.blockNumber}, log ${log.logIndex}): ${(e as Error).message}`, e);
            }
          }
          unit.eventCount++;
        }
      }
      await store.commit(tx, unit, {
        expectedCheckpoint: st.checkpointBlock,
        block: last,
        blocks: o.storeBlocks,
        undoFloor: o.journal ? null : last.number,
        reorgWindow: config.reorgWindow,
        progress: { head: status.head, eventsPerSecond, phase: o.phase },
      });
      // The outbox, in the block's own transaction: a notification exists exactly when its block is applied.
      if (unit.notices.length > 0) await writeNotifications(tx, await resolveNotices(tx, unit.notices), Date.now());
    });
    st.checkpointBlock = last.number;
    st.checkpointHash = last.hash;
    if (!o.journal) st.undoFloor = last.number;
    st.eventsTotal += BigInt(count);
    status.eventsPerSecond = eventsPerSecond;
    status.phase = o.phase;
    refreshStatus();
    // At the head: one debug line per block applied. Both phases: one info line every 5 s at most.
    const line = { head: status.head, checkpoint: st.checkpointBlock, lag: status.lag, eventsPerSecond: Math.round(eventsPerSecond), events: count };
    if (o.phase === "live") {
      for (const b of work) logger.debug({ block: b.header.number, hash: b.header.hash, events: b.logs.length, head: status.head }, "indexer: block applied");
    }
    const now = Date.now();
    if (now - lastProgressLog > 5_000) {
      logger.info(line, `indexer: ${o.phase}`);
      lastProgressLog = now;
    }
  }

  /**
   * Walks back from the checkpoint to the newest stored block still on the chain and rolls back to it.
   * `child` is the block whose parent hash did not match the checkpoint, when that is what called.
   * Returns only after a rollback (or when the checkpoint moved meanwhile): never without progress,
   * so the caller's loop cannot spin.
   */
  async function reconcile(reason: string, child?: BlockHeader): Promise<void> {
    const st = state!;
    const blocks = await store.recentBlocks();
    let ancestor: BlockRecord | undefined;
    for (const b of blocks) {
      if (b.number > st.checkpointBlock) continue;
      if (b.number < st.undoFloor) break;
      const h = await rpc.header(b.number);
      if (h && h.hash === b.hash) {
        ancestor = b;
        break;
      }
    }
    if (!ancestor) {
      // No stored block is on the node's chain: first rule out a node that is another chain altogether.
      await assertSameChain(st);
      throw new ReorgTooDeepError(
        `reorganisation deeper than the stored window: no block between ${Math.max(st.undoFloor, st.checkpointBlock - config.reorgWindow)} and the checkpoint ${st.checkpointBlock} is still on the chain (${reason}). ` +
          `Re-index into a fresh database, or raise REORG_WINDOW / CONFIRMATIONS.`,
      );
    }
    if (ancestor.number === st.checkpointBlock) {
      // The checkpoint block is still on the chain: no reorganisation reached it.
      // The first read said otherwise: the node changed between two reads (or answers inconsistently).
      if (!child) throw new InconsistentReadError(`the checkpoint block ${st.checkpointBlock} looked replaced, then was back on the chain (${reason})`);
      const again = await rpc.header(child.number);
      if (again && again.hash === child.hash && again.parentHash === child.parentHash) {
        throw new ChainInconsistentError(
          `the node serves inconsistent blocks: block ${child.number} (${child.hash}) names parent ${child.parentHash}, ` +
            `but block ${st.checkpointBlock} on the same node is ${st.checkpointHash} — not a reorganisation (that block is still on the chain). ` +
            `Waiting for the node to serve a consistent chain (Hardhat: hardhat_mine of more than 2 blocks makes such blocks; mine them one by one with evm_mine).`,
        );
      }
      // Block `child` changed between the reads: a reorganisation in flight. Read again after a pause.
      throw new InconsistentReadError(`block ${child.number} changed while checking its parent (reorg in flight)`);
    }
    const depth = st.checkpointBlock - ancestor.number;
    if (depth > config.reorgWindow) throw new ReorgTooDeepError(`reorganisation of depth ${depth} exceeds REORG_WINDOW=${config.reorgWindow}`);
    const out = await deps.db.sql.transaction((tx) => store.rollback(tx, { ancestor: ancestor, expectedCheckpoint: st.checkpointBlock }));
    logger.warn({ from: st.checkpointBlock, to: ancestor.number, depth, events: out.events, reason }, "indexer: reorganisation rolled back");
    st.checkpointBlock = ancestor.number;
    st.checkpointHash = ancestor.hash;
    st.eventsTotal -= BigInt(out.events);
    refreshStatus();
  }

  async function logsInRangeAdaptive(from: number, to: number): Promise<{ to: number; logs: RawLog[] }> {
    for (;;) {
      try {
        const logs = await rpc.logsInRange(from, to, decoder.addresses);
        // Aim the next range at about one batch of logs (small answers keep the node and this process
        // light): grow at most 2x after a sparse range,
        // shrink in proportion after a dense one.
        const span = to - from + 1;
        const wanted = Math.round((span * config.batchLogs) / Math.max(1, logs.length));
        range = Math.max(1, Math.min(config.maxBlockRange, span * 2, wanted));
        return { to, logs };
      } catch (e) {
        // A refused range, and also a timeout or dropped connection (a huge response can cause
        // either): ask for half the blocks. If the node is simply down, the range shrinks to one
        // block and the caller's backoff takes over; it grows back once logs flow again.
        const shrinkable = e instanceof RangeTooLargeError || (e instanceof RetryableError && to > from);
        if (!shrinkable || to === from) throw e;
        range = Math.max(1, Math.floor((to - from + 1) / 2));
        to = from + range - 1;
        logger.debug({ from, to, range, err: (e as Error).message }, "indexer: getLogs failed; halving the range");
        if (!(e instanceof RangeTooLargeError)) throw e;
      }
    }
  }

  async function backfill(from: number, toWanted: number): Promise<void> {
    const { to, logs: raw } = await logsInRangeAdaptive(from, toWanted);
    const logs = decodeAll(raw);
    const numbers = [...new Set([from, to, ...logs.map((l) => l.blockNumber)])].sort((a, b) => a - b);
    const headers = await rpc.headers(numbers);
    const byNumber = new Map<number, BlockHeader>();
    headers.forEach((h, i) => {
      if (!h) throw new InconsistentReadError(`block ${numbers[i]} vanished during backfill`);
      byNumber.set(h.number, h);
    });
    const st = state!;
    if (st.checkpointHash && byNumber.get(from)!.parentHash !== st.checkpointHash) {
      await reconcile(`block ${from}'s parent is not the checkpoint ${st.checkpointBlock}`, byNumber.get(from));
      return;
    }
    for (const l of logs) {
      if (byNumber.get(l.blockNumber)!.hash !== l.blockHash) throw new InconsistentReadError(`logs of block ${l.blockNumber} came from another version of it`);
    }
    // Batches of whole blocks, about batchLogs logs each.
    let batch: BlockWork[] = [];
    let batchCount = 0;
    const flush = async (last: BlockHeader) => {
      await apply(batch, record(last), { journal: false, storeBlocks: [record(last)], phase: "backfill" });
      batch = [];
      batchCount = 0;
    };
    let i = 0;
    while (i < logs.length) {
      const n = logs[i]!.blockNumber;
      const blockLogs: DecodedLog[] = [];
      while (i < logs.length && logs[i]!.blockNumber === n) blockLogs.push(logs[i++]!);
      batch.push({ header: record(byNumber.get(n)!), logs: blockLogs });
      batchCount += blockLogs.length;
      if (batchCount >= config.batchLogs && n !== to) await flush(byNumber.get(n)!);
      if (stopped) return;
    }
    await flush(byNumber.get(to)!);
  }

  async function follow(from: number, to: number): Promise<void> {
    const numbers: number[] = [];
    for (let n = from; n <= to; n++) numbers.push(n);
    const headers = await rpc.headers(numbers);
    const st = state!;
    const hs: BlockHeader[] = [];
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i];
      if (!h) throw new InconsistentReadError(`block ${numbers[i]} vanished while following the head`);
      if (i === 0 && st.checkpointHash && h.parentHash !== st.checkpointHash) {
        await reconcile(`block ${from}'s parent ${h.parentHash} is not the checkpoint ${st.checkpointBlock} ${st.checkpointHash}`, h);
        return;
      }
      // Block i does not extend block i-1 (a reorg in flight, or an inconsistent node): apply the
      // blocks before it, which do chain to the checkpoint; the next step checks block i against them.
      if (i > 0 && h.parentHash !== hs[i - 1]!.hash) break;
      hs.push(h);
    }
    const work: BlockWork[] = [];
    for (const h of hs) {
      const raw = bloomMayContain(h.logsBloom, decoder.addresses, keccak) ? await rpc.logsOfBlock(h.hash, decoder.addresses) : [];
      const logs = decodeAll(raw);
      for (const l of logs) if (l.blockHash !== h.hash) throw new InconsistentReadError(`logs of block ${h.number} came from another version of it`);
      work.push({ header: record(h), logs });
    }
    await apply(work, record(hs[hs.length - 1]!), { journal: true, storeBlocks: hs.map(record), phase: "live" });
  }

  /** One unit of progress: returns false when there was nothing to do (caught up). */
  async function step(limit?: number): Promise<boolean> {
    const st = state!;
    const head = await rpc.blockNumber();
    status.head = head;
    if (head < st.checkpointBlock) {
      // Nothing indexed yet (the start block is ahead of this node): wait for the chain to get there.
      if (st.checkpointHash === null) return false;
      await reconcile(`the head ${head} is below the checkpoint ${st.checkpointBlock}`);
      return true;
    }
    let target = head - config.confirmations;
    if (limit !== undefined) target = Math.min(target, limit);
    if (target <= st.checkpointBlock) {
      // Caught up: make sure the checkpoint block itself was not replaced (a reorg at equal height).
      if (st.checkpointHash) {
        const h = await rpc.header(st.checkpointBlock);
        if (!h || h.hash !== st.checkpointHash) {
          await reconcile(`the checkpoint block ${st.checkpointBlock} was replaced`);
          return true;
        }
      }
      refreshStatus();
      return false;
    }
    const from = st.checkpointBlock + 1;
    const safeEnd = target - config.reorgWindow;
    if (from <= safeEnd) await backfill(from, Math.min(safeEnd, from + range - 1));
    else await follow(from, Math.min(target, from + Math.min(range, config.reorgWindow) - 1));
    return true;
  }

  async function run(): Promise<void> {
    let lock: WriterLock | undefined;
    let backoff = 0;
    status.phase = "starting";
    try {
      if (deps.db.dialect === "postgres" && (deps.useWriterLock ?? true)) {
        lock = await acquireWriterLock({ url: deps.db.url, logger, isStopped: () => stopped });
        if (!lock) return;
        void lock.lost.then((e) => {
          if (!stopped) {
            lockLost = e;
            sleeper.wake?.();
          }
        });
      }
      while (!stopped) {
        try {
          if (lockLost) throw new FatalError("WRITER_LOCK_LOST", `lost the writer lock: ${lockLost.message}`);
          if (!state) await init();
          const progressed = await step();
          backoff = 0;
          if (!progressed && !stopped) {
            if (status.phase !== "live") {
              status.phase = "live";
              await store.setPhase("live", null, status.head);
              logger.info({ checkpoint: state!.checkpointBlock, head: status.head }, "indexer: caught up; following the head");
            }
            // A quiet chain commits nothing: beat anyway, so /ready can tell a live indexer from a dead one.
            if (Date.now() - lastHeartbeat >= (config.heartbeatMs ?? DEFAULT_HEARTBEAT_MS)) {
              await store.heartbeat(status.head);
              lastHeartbeat = Date.now();
            }
            await sleep(config.pollMs, sleeper);
          }
        } catch (e) {
          const fatal = e instanceof IndexerError ? !e.retryable : e instanceof Error && /^projection:/.test(e.message);
          if (fatal) throw e;
          // Every retry waits (100 ms doubling up to INDEXER_MAX_BACKOFF_MS), is logged at warn and is
          // recorded as phase "stalled" with last_error, so /ready and the logs show an indexer that
          // makes no progress; the next block applied (or catching up) clears it.
          backoff = Math.min(config.maxBackoffMs, backoff ? backoff * 2 : 100);
          const message = (e as Error).message;
          logger.warn({ err: message, code: (e as IndexerError).code, retryInMs: backoff, checkpoint: state?.checkpointBlock }, "indexer: retrying after an error");
          status.lastError = message;
          status.phase = "stalled";
          await store.setPhase("stalled", message).catch(() => {}); // the database may be what failed
          if (!stopped) await sleep(backoff, sleeper);
        }
      }
      status.phase = "stopped";
      await store.setPhase("stopped", null).catch(() => {});
    } catch (e) {
      status.phase = "failed";
      status.lastError = (e as Error).message;
      logger.error({ err: (e as Error).message, code: (e as IndexerError).code }, "indexer: stopped by a fatal error");
      // The code leads, so readers (the API's projection check, /ready) can tell "stale" from "wrong".
      const code = (e as IndexerError).code;
      await store.setPhase("failed", code === undefined ? (e as Error).message : `[${code}] ${(e as Error).message}`).catch(() => {});
      throw e;
    } finally {
      await lock?.release();
    }
  }
  let lockLost: Error | undefined;

  return {
    start() {
      if (running) throw new Error("indexer already started");
      stopped = false;
      running = run();
      return running;
    },
    async stop() {
      stopped = true;
      sleeper.wake?.();
      await running?.catch(() => {});
      running = undefined;
    },
    async syncTo(block?: number) {
      if (!state) await init();
      for (;;) {
        const progressed = await step(block);
        if (!progressed) break;
      }
      return { ...status, phase: status.phase === "idle" ? "live" : status.phase };
    },
    status() {
      return { ...status };
    },
  };
}
