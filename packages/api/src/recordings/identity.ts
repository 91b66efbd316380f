// The recorder's LiveKit identity, shared by the server and the call's code (no zod here).

/**
 * LiveKit identities of Parlor's recorder start with this. It is not a Parlor user (not a uuid),
 * never a guest, and presence leaves it out: nobody counts the recorder as someone in the call.
 */
export const RECORDER_IDENTITY_PREFIX = "parlor-recorder-";
export const isRecorderIdentity = (identity: string) => identity.startsWith(RECORDER_IDENTITY_PREFIX);
