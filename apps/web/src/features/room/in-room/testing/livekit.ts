/**
 * Real livekit-client objects for component tests: a `Room` that is not connected, remote
 * participants made the way the SDK makes them, and the server's participant updates applied
 * through the SDK's own `updateInfo` (so events fire as they would in a call).
 */
import { RemoteParticipant, Room, RoomEvent, TrackType } from "livekit-client";

// Protocol enum values (livekit_models.proto), as the server sends them.
export const TrackSourceProto = { CAMERA: 1, MICROPHONE: 2, SCREEN_SHARE: 3 } as const;
export const QualityProto = { POOR: 0, GOOD: 1, EXCELLENT: 2, LOST: 3 } as const;

export function testRoom(): Room {
  return new Room();
}

let version = 0;

interface TrackSpec {
  source: keyof typeof TrackSourceProto;
  muted?: boolean;
}

/** A participant's info as the server sends it. */
function participantInfo(
  sid: string,
  identity: string,
  name: string,
  tracks: TrackSpec[],
  attributes: Record<string, string> = {},
) {
  return {
    sid,
    identity,
    name,
    metadata: "",
    attributes,
    state: 1,
    version: ++version,
    joinedAt: BigInt(Math.floor(Date.now() / 1000)),
    tracks: tracks.map((t) => ({
      sid: `TR_${identity}_${t.source}`,
      name: t.source.toLowerCase(),
      type: t.source === "MICROPHONE" ? TrackType.AUDIO : TrackType.VIDEO,
      source: TrackSourceProto[t.source],
      muted: t.muted ?? false,
      width: 0,
      height: 0,
      simulcast: false,
      mimeType: "",
      layers: [],
      codecs: [],
    })),
  };
}

/** Someone joins: the participant is created like the SDK does and the room announces it. */
export function joinRemote(
  room: Room,
  identity: string,
  name: string,
  tracks: TrackSpec[] = [],
  attributes: Record<string, string> = {},
): RemoteParticipant {
  const participant = new RemoteParticipant(room.engine.client, `PA_${identity}`, identity, name);
  participant.updateInfo(participantInfo(`PA_${identity}`, identity, name, tracks, attributes) as never);
  room.remoteParticipants.set(identity, participant);
  room.emit(RoomEvent.ParticipantConnected, participant);
  return participant;
}

/** A server update of someone's tracks (mute, unmute, publish, unpublish). */
export function updateTracks(participant: RemoteParticipant, tracks: TrackSpec[]) {
  participant.updateInfo(
    participantInfo(participant.sid, participant.identity, participant.name ?? "", tracks) as never,
  );
}

/** A server update of someone's attributes, announced by the room as a connected one does. */
export function updateAttributes(
  room: Room,
  participant: RemoteParticipant,
  attributes: Record<string, string>,
) {
  participant.updateInfo(
    participantInfo(participant.sid, participant.identity, participant.name ?? "", [], attributes) as never,
  );
  room.emit(RoomEvent.ParticipantAttributesChanged, attributes, participant);
}

export function leaveRemote(room: Room, participant: RemoteParticipant) {
  room.remoteParticipants.delete(participant.identity);
  room.emit(RoomEvent.ParticipantDisconnected, participant);
}
