/**
 * Access: the one rule for who may be in a call (rule.ts), putting it into effect on LiveKit
 * (evict.ts), and the live-update streams that close with it (streams.ts).
 */
export * from "./rule";
export * from "./evict";
export * from "./streams";
export { ACCESS_CHANNEL, notifyAccessChanged } from "../lib/announce";
