/**
 * What every route needs: the datasets, the caches, the start time and the logger.
 */
import { Registry } from './registry';
import { ByteLru } from './lru';

export interface CachedTile {
  png: Buffer;
  etag: string;
}

export interface Context {
  registry: Registry;
  tileCache: ByteLru<CachedTile>;
  version: string;
  startTime: Date;
  updateTime: Date;
  /** the `--base-url` option or the config's BaseUrl, for URLs written into answers */
  baseUrl?: string;
  log(message: string): void;
}
