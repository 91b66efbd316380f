"use client";

/**
 * The call's view for the room and guest pages. Its code (livekit-client and the room view) loads
 * only when someone heads for Join; the connection starts the moment Join is pressed.
 */
import { startTransition, useState, type ComponentProps, type ComponentType } from "react";

import type { CallSlot } from "./in-room/call-connection";
import type { ConferenceRoom } from "./in-room/conference-room";
import type { JoinChoices } from "./join-choices";
import type { ConnectionDetails } from "./room-store";

type ConferenceRoomProps = ComponentProps<typeof ConferenceRoom>;

let loaded: typeof ConferenceRoom | undefined;
let slot: CallSlot | undefined;

/** The call view's code; pages wrap it in `next/dynamic` for the moment before it is here. */
export const loadConferenceRoom = () =>
  Promise.all([import("./in-room/conference-room"), import("./in-room/call-connection")]).then(
    ([view, connection]) => {
      loaded = view.ConferenceRoom;
      slot = connection.callSlot;
      return view.ConferenceRoom;
    },
  );

/** Starts loading the call's code (Join hovered, focused or touched; the pre-join once idle). */
export const preloadCall = () => void loadConferenceRoom().catch(() => undefined);

/**
 * Join was pressed: connect now, with what the pre-join holds, rather than once the call's view
 * has mounted; synchronously when the call's code is here, so that the connection is under way
 * before React renders the call. The view takes this connection over (`callSlot`).
 */
export function startCall(details: ConnectionDetails, choices: JoinChoices) {
  if (slot) return slot.reserve(details, choices);
  import("./in-room/call-connection")
    .then((module) => module.callSlot.reserve(details, choices))
    .catch(() => undefined);
}

/**
 * Switches the page to the call view after `startCall`. With the call's code here, as a
 * transition: React then renders the call in a later task, after the connection's first steps
 * (LiveKit's signal socket opens while the view renders, not after); without it, at once, so
 * the view's loading state shows.
 */
export function showCall(update: () => void) {
  if (loaded) startTransition(update);
  else update();
}

/**
 * The call view, rendered directly once its code is here: a lazy component suspends, and React
 * reveals suspended content no sooner than 300 ms after its fallback, which held the call (and
 * the others' video) back that long. Chosen once per join, so it never remounts midway.
 */
export function CallView({
  lazy,
  ...props
}: ConferenceRoomProps & { lazy: ComponentType<ConferenceRoomProps> }) {
  const [View] = useState<ComponentType<ConferenceRoomProps>>(() => loaded ?? lazy);
  return <View {...props} />;
}
