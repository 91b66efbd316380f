/** Builds and signs LiveKit webhook requests the way LiveKit's server does, for tests. */
import { createHash } from "node:crypto";

import { AccessToken } from "livekit-server-sdk";

let counter = 0;

export interface EventRoom {
  sid: string;
  name: string;
  creationTime?: number;
}

export interface EventParticipant {
  sid: string;
  identity: string;
  name?: string;
  joinedAt?: number;
}

export function webhookEvent(
  event: string,
  fields: { room: EventRoom; participant?: EventParticipant; createdAt?: number; id?: string },
) {
  const createdAt = fields.createdAt ?? Math.floor(Date.now() / 1000);
  return {
    event,
    id: fields.id ?? `EV_test_${++counter}_${Math.random().toString(36).slice(2, 8)}`,
    createdAt: String(createdAt),
    room: {
      sid: fields.room.sid,
      name: fields.room.name,
      creationTime: String(fields.room.creationTime ?? createdAt),
    },
    ...(fields.participant
      ? {
          participant: {
            sid: fields.participant.sid,
            identity: fields.participant.identity,
            name: fields.participant.name ?? fields.participant.identity,
            joinedAt: String(fields.participant.joinedAt ?? createdAt),
            state: "ACTIVE",
          },
        }
      : {}),
  };
}

/** The Authorization header LiveKit sends: a JWT from the API key whose `sha256` claim is the body's hash. */
export async function signWebhook(
  body: string,
  apiKey: string,
  apiSecret: string,
  ttl: number | string = 60,
) {
  const token = new AccessToken(apiKey, apiSecret, { ttl });
  token.sha256 = createHash("sha256").update(body).digest("base64");
  return token.toJwt();
}

export async function webhookRequest(
  body: unknown,
  credentials: { apiKey: string; apiSecret: string },
  options: { authorization?: string | null; ttl?: number | string } = {},
) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const authorization =
    options.authorization === undefined
      ? await signWebhook(text, credentials.apiKey, credentials.apiSecret, options.ttl)
      : options.authorization;
  const headers = new Headers({ "content-type": "application/webhook+json" });
  if (authorization) headers.set("authorization", authorization);
  return new Request("http://parlor.test/api/livekit/webhook", { method: "POST", headers, body: text });
}
