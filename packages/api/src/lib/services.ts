import { createDatabase, type Database, type DatabaseHandle } from "@parlor/db";

import { createSessionStore, type SessionCachePolicy, type SessionPolicy, type SessionStore } from "./lucia";
import type { Config } from "./config";
import { createLiveKitService, type LiveKitService } from "../livekit/service";
import { ACCESS_CHANNEL, PRESENCE_CHANNEL } from "./announce";
import {
  createLiveStreamRegistry,
  LIVE_STREAM_POLICY,
  type LiveStreamPolicy,
  type LiveStreamRegistry,
} from "./live-streams";
import { createLogger, type Logger } from "./logger";
import { createMailer, type Mailer } from "../mail/mailer";
import { countLive, createMetrics, type Metrics } from "./metrics";
import { createPresenceBus, type PresenceBus } from "./presence-bus";
import { createRecorder, type Recorder } from "../recordings/recorder";
import { createRecordingStorage, type RecordingStorage } from "../recordings/storage";
import {
  createRateLimiter,
  ratePolicies,
  type Clock,
  type RateLimiter,
  type RatePolicies,
} from "./rate-limit";

/** Everything a request needs that is built once at start: the procedures receive it in their context. */
export interface Services {
  config: Config;
  database: DatabaseHandle;
  db: Database;
  logger: Logger;
  sessions: SessionStore;
  rateLimiter: RateLimiter;
  ratePolicies: RatePolicies;
  livekit: LiveKitService;
  mailer: Mailer;
  presenceBus: PresenceBus;
  /** Live-update streams open in this process, counted against their caps. */
  liveStreams: LiveStreamRegistry;
  metrics: Metrics;
  clock: Clock;
  /** This process's recorder (recordings/recorder.ts) and where recordings are kept. */
  recorder: Recorder;
  recordingStorage: RecordingStorage;
}

export interface ServiceOverrides {
  database?: DatabaseHandle;
  logger?: Logger;
  sessionPolicy?: SessionPolicy;
  sessionCache?: SessionCachePolicy;
  ratePolicies?: Partial<RatePolicies>;
  clock?: Clock;
  liveStreamPolicy?: Partial<LiveStreamPolicy>;
}

export function createServices(config: Config, overrides: ServiceOverrides = {}): Services {
  const database =
    overrides.database ?? createDatabase({ url: config.databaseUrl, dataDir: config.pgliteDataDir });
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? (() => new Date());
  return {
    config,
    database,
    db: database.db,
    logger,
    sessions: createSessionStore(database.db, {
      policy: overrides.sessionPolicy,
      notifications: database,
      cache: overrides.sessionCache,
    }),
    rateLimiter: createRateLimiter(database.db, clock),
    ratePolicies: { ...ratePolicies, ...overrides.ratePolicies },
    livekit: createLiveKitService(config.livekit, logger),
    mailer: createMailer(config.mail, logger),
    presenceBus: createPresenceBus(database, { presence: PRESENCE_CHANNEL, access: ACCESS_CHANNEL }, logger),
    liveStreams: createLiveStreamRegistry({ ...LIVE_STREAM_POLICY, ...overrides.liveStreamPolicy }),
    metrics: createMetrics(() => countLive(database.db)),
    clock,
    recorder: createRecorder(config.recording),
    recordingStorage: createRecordingStorage(config.recording),
  };
}
