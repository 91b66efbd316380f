// Input schemas shared by the procedures and the forms that call them. Client-safe: zod only.
export * from "./admin";
export * from "./auth";
export * from "./chat";
export * from "./common";
export * from "./guest";
export * from "./preferences";
export * from "./room";
export * from "./team";
export { recordingRetentionInput } from "../recordings/schemas";
