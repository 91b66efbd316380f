// Client-safe entry: types only. Server code imports from "@parlor/api/server".
export type { AppRouter, RouterInputs, RouterOutputs } from "./root";
export type { ErrorData } from "./lib/trpc";
