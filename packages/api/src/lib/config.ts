import * as z from "zod";

/** Environment variables treat an empty value as unset (a blank line in .env means "use the default"). */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

const url = (protocols: string[], example: string) =>
  z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol.replace(/:$/, ""));
        } catch {
          return false;
        }
      },
      `must be a ${protocols.map((p) => `${p}://`).join(" or ")} URL, e.g. ${example}`,
    );

const configSchema = z
  .object({
    NODE_ENV: optional(z.enum(["development", "production", "test"])).default("development"),
    DATABASE_URL: optional(url(["postgres", "postgresql"], "postgres://user:pass@localhost:5432/parlor")),
    PGLITE_DATA_DIR: optional(z.string()),
    APP_URL: optional(url(["http", "https"], "https://meet.example.com")),
    LIVEKIT_URL: optional(url(["ws", "wss", "http", "https"], "wss://livekit.example.com")).default(
      "ws://localhost:7880",
    ),
    LIVEKIT_PUBLIC_URL: optional(url(["ws", "wss", "http", "https"], "wss://livekit.example.com")),
    LIVEKIT_API_KEY: optional(z.string().trim().min(1)).default("devkey"),
    LIVEKIT_API_SECRET: optional(z.string().trim().min(1)).default("secret"),
    LIVEKIT_TIMEOUT_MS: optional(z.coerce.number().int().min(100).max(60_000)).default(5_000),
    // LiveKit refreshes the token of a connected participant, so this bounds joins, not calls.
    LIVEKIT_TOKEN_TTL_SECONDS: optional(
      z.coerce
        .number()
        .int()
        .min(30)
        .max(24 * 60 * 60),
    ).default(600),
    ADMIN_EMAILS: optional(z.string()).default(""),
    LOG_LEVEL: optional(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])).default(
      "info",
    ),
    METRICS_TOKEN: optional(z.string().min(16, "must be at least 16 characters")),
    TRUSTED_PROXIES: optional(
      z.coerce
        .number({ error: "must be a whole number of proxies, e.g. 1" })
        .int("must be a whole number of proxies, e.g. 1")
        .min(0, "must be 0 or more")
        .max(10, "must be at most 10"),
    ).default(0),
    SMTP_URL: optional(url(["smtp", "smtps"], "smtps://user:password@smtp.example.com:465")),
    RECORDINGS_DIR: optional(z.string().trim().min(1)),
    FFMPEG_PATH: optional(z.string().trim().min(1)).default("/usr/bin/ffmpeg"),
    RECORDING_MAX_CONCURRENT: optional(
      z.coerce
        .number({ error: "must be a whole number of recordings, e.g. 2" })
        .int("must be a whole number of recordings, e.g. 2")
        .min(0, "must be 0 (recording off) or more")
        .max(64, "must be at most 64"),
    ).default(2),
    RECORDING_RESOLUTION: optional(
      z.enum(["1280x720", "960x540", "640x360"], {
        error: "must be one of 1280x720, 960x540, 640x360",
      }),
    ).default("1280x720"),
    RECORDER: optional(
      z.enum(["embedded", "egress"], { error: "must be embedded (the default) or egress (LiveKit Egress)" }),
    ).default("embedded"),
    // The recordings folder as LiveKit Egress sees it (a volume shared with Parlor's RECORDINGS_DIR).
    RECORDINGS_EGRESS_DIR: optional(
      z
        .string()
        .trim()
        .refine((value) => value.startsWith("/"), "must be an absolute path, e.g. /recordings"),
    ),
    RECORDING_EGRESS_AUDIO_CODEC: optional(
      z.enum(["aac", "opus"], { error: "must be aac (the default) or opus" }),
    ).default("aac"),
    RECORDINGS_S3_BUCKET: optional(
      z
        .string()
        .trim()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name, e.g. parlor-recordings"),
    ),
    RECORDINGS_S3_ENDPOINT: optional(url(["http", "https"], "https://s3.example.com")),
    RECORDINGS_S3_REGION: optional(z.string().trim().min(1)).default("us-east-1"),
    RECORDINGS_S3_ACCESS_KEY_ID: optional(z.string().trim().min(1)),
    RECORDINGS_S3_SECRET_ACCESS_KEY: optional(z.string().trim().min(1)),
    RECORDINGS_S3_FORCE_PATH_STYLE: optional(
      z.enum(["true", "false"], { error: "must be true or false" }).transform((v) => v === "true"),
    ),
    MAIL_FROM: optional(
      z
        .string()
        .trim()
        .refine(
          (value) => mailbox(value) !== null,
          "must be an email address, optionally with a name, e.g. Parlor <parlor@example.com>",
        ),
    ),
  })
  // Links in emails must point at Parlor itself, never at whatever a request's Host header says
  // (a forged Host would otherwise send someone's reset link to another site).
  .refine((e) => !e.SMTP_URL || e.APP_URL, {
    path: ["APP_URL"],
    message: "is required when SMTP_URL is set, so that links in emails point at Parlor",
  })
  .refine((e) => !e.SMTP_URL || e.MAIL_FROM, {
    path: ["MAIL_FROM"],
    message: "is required when SMTP_URL is set: the address Parlor's emails come from",
  })
  // The other RECORDINGS_S3_* settings mean nothing without a bucket: say so rather than ignore them.
  .refine(
    (e) =>
      e.RECORDINGS_S3_BUCKET ||
      (!e.RECORDINGS_S3_ENDPOINT && !e.RECORDINGS_S3_ACCESS_KEY_ID && !e.RECORDINGS_S3_SECRET_ACCESS_KEY),
    {
      path: ["RECORDINGS_S3_BUCKET"],
      message: "is required when other RECORDINGS_S3_* settings are set: the bucket recordings are kept in",
    },
  )
  // Egress settings mean nothing to the embedded recorder: say so rather than ignore them.
  .refine((e) => e.RECORDER === "egress" || e.RECORDINGS_EGRESS_DIR === undefined, {
    path: ["RECORDINGS_EGRESS_DIR"],
    message:
      "is only used with RECORDER=egress (the folder as LiveKit Egress sees it): set RECORDER=egress or remove it",
  })
  .refine((e) => !e.RECORDINGS_EGRESS_DIR || !e.RECORDINGS_S3_BUCKET, {
    path: ["RECORDINGS_EGRESS_DIR"],
    message: "means nothing with RECORDINGS_S3_BUCKET set: Egress uploads to the bucket. Remove one of them",
  })
  .refine((e) => !e.RECORDINGS_S3_ACCESS_KEY_ID === !e.RECORDINGS_S3_SECRET_ACCESS_KEY, {
    path: ["RECORDINGS_S3_SECRET_ACCESS_KEY"],
    message:
      "and RECORDINGS_S3_ACCESS_KEY_ID go together: set both, or neither to use the AWS SDK's usual credentials",
  });

/** The address in "Name <address>" or a bare address; null when it is neither. */
function mailbox(value: string): string | null {
  const match = /^(?:[^<>]*<\s*([^<>\s]+)\s*>|([^<>\s]+))$/.exec(value);
  const address = match?.[1] ?? match?.[2];
  return address && z.email().safeParse(address).success ? address : null;
}

export interface Config {
  nodeEnv: "development" | "production" | "test";
  databaseUrl: string | undefined;
  pgliteDataDir: string | undefined;
  /** The app's own origin when configured; otherwise taken from each request's Host. */
  appOrigin: string | undefined;
  livekit: {
    /** Where the server reaches LiveKit's HTTP API. */
    url: string;
    /** Where browsers reach LiveKit. */
    publicUrl: string;
    apiKey: string;
    apiSecret: string;
    timeoutMs: number;
    /** How long a join token is accepted (LIVEKIT_TOKEN_TTL_SECONDS). */
    tokenTtlSeconds: number;
  };
  adminEmails: ReadonlySet<string>;
  logLevel: string;
  metricsToken: string | undefined;
  /** Outgoing email; null when SMTP_URL is unset (then site admins hand out reset links). */
  mail: { smtpUrl: string; from: string } | null;
  /**
   * How many proxies of ours stand in front of Parlor, each appending to X-Forwarded-For; 0 (the
   * default): the client's address is the socket's, and the header is ignored.
   */
  trustedProxies: number;
  /** Recording (packages/api/src/recordings): the embedded recorder, or LiveKit Egress. */
  recording: {
    /** Who records: Parlor's embedded recorder, or LiveKit's Egress service (RECORDER). */
    mode: "embedded" | "egress";
    /** For RECORDER=egress. */
    egress: {
      /**
       * The recordings folder as the Egress sees it (a volume shared with `dir`); undefined: the
       * same path as `dir` (an Egress on the same machine). Unused with a bucket.
       */
      dir: string | undefined;
      /** LiveKit's image encodes AAC; an Egress on Debian's GStreamer only Opus. */
      audioCodec: "aac" | "opus";
    };
    /** Where recordings are kept; by default `.data/recordings` at the repository root. */
    dir: string | undefined;
    ffmpegPath: string;
    /**
     * Recordings this instance runs at once (with Egress: the whole installation, counted from the
     * recordings table); 0 turns recording off.
     */
    maxConcurrent: number;
    width: number;
    height: number;
    /** S3-compatible object storage for the files; null keeps them in `dir`. */
    s3: {
      bucket: string;
      endpoint: string | undefined;
      region: string;
      credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
      forcePathStyle: boolean;
    } | null;
  };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads and validates the environment once; the message names every variable at fault. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);
  }
  const e = parsed.data;
  return {
    nodeEnv: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    pgliteDataDir: e.PGLITE_DATA_DIR,
    appOrigin: e.APP_URL ? new URL(e.APP_URL).origin : undefined,
    livekit: {
      url: e.LIVEKIT_URL,
      publicUrl: e.LIVEKIT_PUBLIC_URL ?? e.LIVEKIT_URL,
      apiKey: e.LIVEKIT_API_KEY,
      apiSecret: e.LIVEKIT_API_SECRET,
      timeoutMs: e.LIVEKIT_TIMEOUT_MS,
      tokenTtlSeconds: e.LIVEKIT_TOKEN_TTL_SECONDS,
    },
    adminEmails: new Set(
      e.ADMIN_EMAILS.split(",")
        .map((email) => email.trim().toLowerCase())
        .filter(Boolean),
    ),
    logLevel: e.LOG_LEVEL,
    metricsToken: e.METRICS_TOKEN,
    mail: e.SMTP_URL && e.MAIL_FROM ? { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM } : null,
    trustedProxies: e.TRUSTED_PROXIES,
    recording: {
      mode: e.RECORDER,
      egress: { dir: e.RECORDINGS_EGRESS_DIR, audioCodec: e.RECORDING_EGRESS_AUDIO_CODEC },
      dir: e.RECORDINGS_DIR,
      ffmpegPath: e.FFMPEG_PATH,
      maxConcurrent: e.RECORDING_MAX_CONCURRENT,
      width: Number(e.RECORDING_RESOLUTION.split("x")[0]),
      height: Number(e.RECORDING_RESOLUTION.split("x")[1]),
      s3: e.RECORDINGS_S3_BUCKET
        ? {
            bucket: e.RECORDINGS_S3_BUCKET,
            endpoint: e.RECORDINGS_S3_ENDPOINT,
            region: e.RECORDINGS_S3_REGION,
            credentials:
              e.RECORDINGS_S3_ACCESS_KEY_ID && e.RECORDINGS_S3_SECRET_ACCESS_KEY
                ? {
                    accessKeyId: e.RECORDINGS_S3_ACCESS_KEY_ID,
                    secretAccessKey: e.RECORDINGS_S3_SECRET_ACCESS_KEY,
                  }
                : undefined,
            // S3-compatible servers (MinIO, Garage, Ceph) mostly want the bucket in the path.
            forcePathStyle: e.RECORDINGS_S3_FORCE_PATH_STYLE ?? !!e.RECORDINGS_S3_ENDPOINT,
          }
        : null,
    },
  };
}
