// Chat constants the call's code needs without loading zod (the room page ships without it).

export const CHAT_MESSAGE_MAX = 2000;

/** The LiveKit data topic on which the server delivers chat events to everyone in the call. */
export const CHAT_TOPIC = "parlor.chat";
