// The LiveKit RoomService double from @parlor/api's tests (a real loopback HTTP server that
// verifies JWT grants and can be told to fail or hang), and its webhook signer.
export { startLiveKitDouble, type LiveKitDouble } from "@parlor/api/testing/livekit-double";
export { signWebhook, webhookEvent } from "@parlor/api/testing/webhook-sender";
