/**
 * Which chain the server talks to, as a stable key: chain id and genesis block hash (a restarted local
 * chain, or another network with the same id, has another genesis), plus the deployment's contract
 * addresses for what only makes sense against one deployment (idempotent answers). Keys that differ
 * mean "another chain": nonces and stored answers of one never apply to the other.
 */
import { keccak256, toUtf8Bytes, type Provider } from "ethers";

export interface ChainIdentity {
  chainId: bigint;
  genesisHash: string;
  /** `<chainId>:<genesis hash>`: what nonces are kept under. */
  chainKey: string;
  /** keccak256 of the chain key and the sorted contract addresses: what idempotent answers are bound to. */
  deploymentKey: string;
}

export async function chainIdentity(provider: Provider, contracts: Readonly<Record<string, string | undefined>>): Promise<ChainIdentity> {
  const [network, genesis] = await Promise.all([provider.getNetwork(), provider.getBlock(0)]);
  if (genesis === null || genesis.hash === null) throw new Error("the node has no block 0");
  const chainKey = `${network.chainId}:${genesis.hash.toLowerCase()}`;
  const addresses = Object.entries(contracts)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([name, address]) => `${name}=${address.toLowerCase()}`)
    .sort();
  return { chainId: network.chainId, genesisHash: genesis.hash.toLowerCase(), chainKey, deploymentKey: keccak256(toUtf8Bytes([chainKey, ...addresses].join("\n"))) };
}

/** What idempotent answers are bound to: the deployment on this chain, and the blocks the chain has now. */
export function idempotencyChainOf(provider: Provider, identity: ChainIdentity) {
  return {
    key: identity.deploymentKey,
    blockHashAt: async (number: number) => (await provider.getBlock(number))?.hash ?? undefined,
  };
}
