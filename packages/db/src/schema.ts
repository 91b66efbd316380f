import { sql } from "drizzle-orm";

import {
  bigint,
  boolean,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
};

export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  /** Stored normalised (trimmed, lower-cased); unique. */
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash").notNull(),
  isAdmin: boolean("is_admin").notNull().default(false),
  /** Set on each successful sign-in (and sign-up); null for an account never signed in to. */
  lastSignInAt: timestamp("last_sign_in_at", { withTimezone: true, mode: "date" }),
  /** Set by a site admin: the account cannot sign in and has no sessions while this is set. */
  disabledAt: timestamp("disabled_at", { withTimezone: true, mode: "date" }),
  ...timestamps,
});

/**
 * Single-use links that set a new password: asked for by email, or made by a site admin for a
 * user (`createdBy`). Only the SHA-256 of the link's token is kept.
 */
export const passwordResets = pgTable(
  "password_resets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    /**
     * Set when the link is used, or when a change of the account made it moot (a newer link, a
     * change of the password, disabling).
     */
    usedAt: timestamp("used_at", { withTimezone: true, mode: "date" }),
    /** The site admin who made the link; null when the user asked for it by email. */
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("password_resets_user_id_idx").on(t.userId)],
);

/**
 * Lucia's session table. `id` is the SHA-256 hash of the token in the cookie, never the token
 * itself, so a leaked table yields no usable session.
 */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** Idle expiry; Lucia slides it forward while the session is used. */
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    /** Absolute lifetime; never extended. */
    absoluteExpiresAt: timestamp("absolute_expires_at", { withTimezone: true, mode: "date" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("sessions_user_id_idx").on(t.userId)],
);

export const teamRole = pgEnum("team_role", ["owner", "admin", "member"]);
export type TeamRole = (typeof teamRole.enumValues)[number];

export const teams = pgTable("teams", {
  id: uuid("id").primaryKey().defaultRandom(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  /** Chat messages older than this are deleted (a team setting). */
  chatRetentionDays: integer("chat_retention_days").notNull().default(90),
  /** Whether plain members may create guest links (owners and admins always may). */
  membersCreateGuestLinks: boolean("members_create_guest_links").notNull().default(false),
  /** Whether plain members may start and stop recordings (owners and admins always may). */
  membersRecord: boolean("members_record").notNull().default(false),
  /** Recordings older than this many days are deleted with their files; null keeps them (the default). */
  recordingRetentionDays: integer("recording_retention_days"),
  ...timestamps,
});

export const teamMembers = pgTable(
  "team_members",
  {
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: teamRole("role").notNull().default("member"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index("team_members_user_id_idx").on(t.userId)],
);

/**
 * The last time someone was removed from a team by an owner or admin. An invite made before that
 * moment cannot bring them back; a new invite made afterwards can (a deliberate re-invite).
 */
export const teamRemovals = pgTable(
  "team_removals",
  {
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    removedAt: timestamp("removed_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    removedBy: uuid("removed_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] })],
);

export const invites = pgTable(
  "invites",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    /** SHA-256 of the token in the invite link; the token itself is never stored. */
    tokenHash: text("token_hash").notNull().unique(),
    role: teamRole("role").notNull().default("member"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    /** Null means unlimited. */
    maxUses: integer("max_uses"),
    uses: integer("uses").notNull().default(0),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("invites_team_id_idx").on(t.teamId)],
);

export const rooms = pgTable(
  "rooms",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    /** The LiveKit room name: random, unique on the instance, stable for the room's life. */
    livekitRoomName: text("livekit_room_name").notNull().unique(),
    maxParticipants: integer("max_participants").notNull(),
    emptyTimeoutSeconds: integer("empty_timeout_seconds").notNull(),
    departureTimeoutSeconds: integer("departure_timeout_seconds").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    /** Set while the room is locked: everyone but its moderators knocks. Cleared when the meeting ends. */
    lockedAt: timestamp("locked_at", { withTimezone: true, mode: "date" }),
    /**
     * End-to-end encrypted: media and in-call data are encrypted in the browsers with a passphrase
     * Parlor never sees, and the room's chat is not stored.
     */
    e2ee: boolean("e2ee").notNull().default(false),
    ...timestamps,
  },
  (t) => [uniqueIndex("rooms_team_slug_idx").on(t.teamId, t.slug)],
);

export const userPreferences = pgTable("user_preferences", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  displayName: text("display_name"),
  microphoneEnabled: boolean("microphone_enabled").notNull().default(true),
  cameraEnabled: boolean("camera_enabled").notNull().default(true),
  audioInputId: text("audio_input_id"),
  audioInputLabel: text("audio_input_label"),
  videoInputId: text("video_input_id"),
  videoInputLabel: text("video_input_label"),
  audioOutputId: text("audio_output_id"),
  audioOutputLabel: text("audio_output_label"),
  updatedAt: timestamps.updatedAt,
});

/**
 * Counters for throttling and rate limits, kept in Postgres so that every web instance sees
 * the same count. `key` names the limit and its subject, e.g. `sign-in:account:<email>`.
 */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").primaryKey(),
    count: integer("count").notNull().default(0),
    windowStartedAt: timestamp("window_started_at", { withTimezone: true, mode: "date" }).notNull(),
    blockedUntil: timestamp("blocked_until", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("rate_limits_window_idx").on(t.windowStartedAt)],
);

/** One lifetime of a LiveKit room (LiveKit gives each a new sid): from its start to its end. */
export const roomSessions = pgTable(
  "room_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    roomId: uuid("room_id")
      .notNull()
      .references(() => rooms.id, { onDelete: "cascade" }),
    livekitRoomSid: text("livekit_room_sid").notNull().unique(),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull(),
    /** Null while the room is live. Terminal: a finished session is never reopened. */
    endedAt: timestamp("ended_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    index("room_sessions_room_started_idx").on(t.roomId, t.startedAt),
    index("room_sessions_open_idx")
      .on(t.roomId)
      .where(sql`${t.endedAt} is null`),
  ],
);

/** One connection of one person to one room session (LiveKit gives each connection its own sid). */
export const participantSessions = pgTable(
  "participant_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    roomSessionId: uuid("room_session_id")
      .notNull()
      .references(() => roomSessions.id, { onDelete: "cascade" }),
    roomId: uuid("room_id")
      .notNull()
      .references(() => rooms.id, { onDelete: "cascade" }),
    /** Null when the identity is not a Parlor user (e.g. an agent or an egress). */
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    identity: text("identity").notNull(),
    name: text("name").notNull(),
    participantSid: text("participant_sid").notNull().unique(),
    joinedAt: timestamp("joined_at", { withTimezone: true, mode: "date" }).notNull(),
    /** Null while connected. Terminal: a left connection never comes back (a rejoin is a new sid). */
    leftAt: timestamp("left_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    index("participant_sessions_session_idx").on(t.roomSessionId),
    index("participant_sessions_open_idx")
      .on(t.roomId)
      .where(sql`${t.leftAt} is null`),
  ],
);

/** Webhook event ids already applied, so a redelivered event is applied once. */
export const webhookEvents = pgTable("webhook_events", {
  id: text("id").primaryKey(),
  event: text("event").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
  receivedAt: timestamp("received_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** A person removed from a room gets no new token for it until `until`. */
export const roomBans = pgTable(
  "room_bans",
  {
    roomId: uuid("room_id")
      .notNull()
      .references(() => rooms.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    until: timestamp("until", { withTimezone: true, mode: "date" }).notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.userId] })],
);

/** Small facts shared by every web instance, e.g. when presence was last reconciled. */
export const appState = pgTable("app_state", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/**
 * A room's chat, kept beyond the call: people who join late or reload see it, and each meeting's
 * history shows its messages. Deleted for good when the author or a moderator deletes one, and
 * after the team's retention period.
 */
export const chatMessages = pgTable(
  "chat_messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    roomId: uuid("room_id")
      .notNull()
      .references(() => rooms.id, { onDelete: "cascade" }),
    /** The meeting it was written in, when one was live. */
    roomSessionId: uuid("room_session_id").references(() => roomSessions.id, { onDelete: "set null" }),
    /** Null once the author's account is gone; the name stays. */
    authorId: uuid("author_id").references(() => users.id, { onDelete: "set null" }),
    authorIdentity: text("author_identity").notNull(),
    authorName: text("author_name").notNull(),
    body: text("body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    index("chat_messages_room_created_idx").on(t.roomId, t.createdAt),
    index("chat_messages_session_idx").on(t.roomSessionId),
    index("chat_messages_created_idx").on(t.createdAt),
  ],
);

/** A link that lets people without an account join one room under a name they type. */
export const guestLinks = pgTable(
  "guest_links",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    roomId: uuid("room_id")
      .notNull()
      .references(() => rooms.id, { onDelete: "cascade" }),
    /** SHA-256 of the token in the link; the token itself is never stored. */
    tokenHash: text("token_hash").notNull().unique(),
    /** Whether guests wait in the lobby until a moderator admits them. */
    requireKnock: boolean("require_knock").notNull().default(true),
    /** Guests who have joined through this link so far (at most the room's participant limit). */
    guestCount: integer("guest_count").notNull().default(0),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("guest_links_room_idx").on(t.roomId)],
);

/**
 * A guest's session: bound to one room through its link. `id` is the SHA-256 of the token in the
 * guest's cookie. Ends with the link (revoked links refuse it) or at `expiresAt`.
 */
export const guestSessions = pgTable(
  "guest_sessions",
  {
    id: text("id").primaryKey(),
    linkId: uuid("link_id")
      .notNull()
      .references(() => guestLinks.id, { onDelete: "cascade" }),
    roomId: uuid("room_id")
      .notNull()
      .references(() => rooms.id, { onDelete: "cascade" }),
    /** The LiveKit identity, `guest-<random>`. */
    identity: text("identity").notNull().unique(),
    name: text("name").notNull(),
    ip: text("ip"),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("guest_sessions_link_idx").on(t.linkId)],
);

export const lobbyStatus = pgEnum("lobby_status", ["waiting", "admitted", "denied"]);
export type LobbyStatus = (typeof lobbyStatus.enumValues)[number];

/** Someone asking to join a room: a guest whose link says knock, or anyone while the room is locked. */
export const lobbyRequests = pgTable(
  "lobby_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    roomId: uuid("room_id")
      .notNull()
      .references(() => rooms.id, { onDelete: "cascade" }),
    guestSessionId: text("guest_session_id").references(() => guestSessions.id, { onDelete: "cascade" }),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    identity: text("identity").notNull(),
    name: text("name").notNull(),
    status: lobbyStatus("status").notNull().default("waiting"),
    decidedBy: uuid("decided_by").references(() => users.id, { onDelete: "set null" }),
    decidedAt: timestamp("decided_at", { withTimezone: true, mode: "date" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    index("lobby_requests_room_idx").on(t.roomId, t.createdAt),
    index("lobby_requests_identity_idx").on(t.identity),
  ],
);

export const recordingState = pgEnum("recording_state", [
  "starting",
  "recording",
  "stopping",
  "complete",
  "failed",
]);
export type RecordingState = (typeof recordingState.enumValues)[number];

/**
 * One recorded file of a meeting (packages/api/src/recordings). A recording the recorder could not
 * continue (it crashed, LiveKit went away) keeps what it wrote; when it picks up again that is a new
 * part of the same meeting, a new row with `part` one higher.
 */
export const recordings = pgTable(
  "recordings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    roomId: uuid("room_id")
      .notNull()
      .references(() => rooms.id, { onDelete: "cascade" }),
    /** The meeting recorded, once known (LiveKit's webhook may name it after the start). */
    roomSessionId: uuid("room_session_id").references(() => roomSessions.id, { onDelete: "set null" }),
    state: recordingState("state").notNull().default("starting"),
    part: integer("part").notNull().default(1),
    startedBy: uuid("started_by").references(() => users.id, { onDelete: "set null" }),
    /** When the first picture and sound were written; null until then. */
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }),
    endedAt: timestamp("ended_at", { withTimezone: true, mode: "date" }),
    durationMs: integer("duration_ms"),
    sizeBytes: bigint("size_bytes", { mode: "number" }),
    /** Where the file is in the recordings storage; never a public URL. */
    storageKey: text("storage_key").notNull(),
    /** Why a recording failed or stopped early, in words a moderator can act on. */
    error: text("error"),
    /** Refreshed by the recorder while it writes; a stale one means the recorder is gone. */
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true, mode: "date" }),
    /**
     * The LiveKit Egress that records it (RECORDER=egress); null for the embedded recorder. Its
     * webhooks find the recording by it.
     */
    egressId: text("egress_id"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    index("recordings_room_created_idx").on(t.roomId, t.createdAt),
    uniqueIndex("recordings_egress_idx").on(t.egressId),
    index("recordings_session_idx").on(t.roomSessionId),
    // At most one recording running per room: a second start is refused by the database itself.
    uniqueIndex("recordings_one_active_per_room_idx")
      .on(t.roomId)
      .where(sql`${t.state} in ('starting', 'recording', 'stopping')`),
  ],
);
