import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";

import { adminRouter } from "./admin/router";
import { authRouter } from "./accounts/router";
import { chatRouter } from "./chat/router";
import { guestRouter } from "./guests/router";
import { lobbyRouter } from "./guests/lobby-router";
import { preferencesRouter } from "./accounts/preferences-router";
import { recordingRouter } from "./recordings/router";
import { roomRouter } from "./rooms/router";
import { teamRouter } from "./teams/router";
import { createCallerFactory, createTRPCRouter } from "./lib/trpc";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  team: teamRouter,
  room: roomRouter,
  preferences: preferencesRouter,
  admin: adminRouter,
  chat: chatRouter,
  guest: guestRouter,
  lobby: lobbyRouter,
  recording: recordingRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export const createCaller = createCallerFactory(appRouter);
