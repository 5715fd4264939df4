// The embedded system's own variables (`npm start`). Everything else it passes on is validated by the
// indexer's and the API's own configuration.
import { z } from "zod";
import { DEMO_KEYSTORE_DIR } from "../signing/devKeys";
import { intVar, parseEnv, type Env } from "./env";

const embeddedSchema = z.object({
  /** Port of the local Hardhat node on 127.0.0.1. */
  CHAIN_PORT: intVar({ min: 1, max: 65_535 }).default(8545),
  /** The demo organisations' keystore, re-created each run; never the API's API_KEYSTORE_DIR. */
  DEMO_KEYSTORE_DIR: z.string().min(1).default(DEMO_KEYSTORE_DIR),
});

export type EmbeddedEnv = z.infer<typeof embeddedSchema>;

export function loadEmbeddedEnv(env: Env = process.env): EmbeddedEnv {
  return parseEnv(embeddedSchema, env);
}
