export * from "./client";
export { dataRoot } from "./paths";
export * as schema from "./schema";
export type { LobbyStatus, RecordingState, TeamRole } from "./schema";
export { withPreparedStatements, type PreparedStatementOptions } from "./pglite-prepared";
