export { ConfigError, parseEnv, type Env } from "./env";
export { loadDatabaseConfig, DEFAULT_DATABASE_URL, type DatabaseConfig } from "./database";
export { loadChainEnv, type ChainEnv } from "./chain";
export { loadIndexerConfig, type IndexerConfig } from "./indexer";
