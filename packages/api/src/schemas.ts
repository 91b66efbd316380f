// Input schemas shared by the procedures and the forms that call them. Client-safe: zod only.
export * from "./admin/schemas";
export * from "./accounts/schemas";
export * from "./chat/schemas";
export * from "./lib/common-schemas";
export * from "./guests/schemas";
export * from "./accounts/preferences-schemas";
export * from "./rooms/schemas";
export * from "./teams/schemas";
export { recordingRetentionInput } from "./recordings/schemas";
