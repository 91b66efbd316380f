"use client";

import { useRoomContext } from "@livekit/components-react";
import { RoomEvent } from "livekit-client";
import { useEffect, useState } from "react";

/**
 * Whether LiveKit says the call is being recorded. Parlor's recorder joins with LiveKit's
 * `recorder` grant, so every participant, guests included, learns it from the server at once.
 */
export function useIsRecording(): boolean {
  const room = useRoomContext();
  const [recording, setRecording] = useState(room.isRecording);
  useEffect(() => {
    setRecording(room.isRecording);
    const changed = (isRecording: boolean) => setRecording(isRecording);
    room.on(RoomEvent.RecordingStatusChanged, changed);
    return () => {
      room.off(RoomEvent.RecordingStatusChanged, changed);
    };
  }, [room]);
  return recording;
}
