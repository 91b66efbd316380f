export * from "./client";
export * as schema from "./schema";
export type { TeamRole } from "./schema";
