import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";

import { adminRouter } from "./routers/admin";
import { authRouter } from "./routers/auth";
import { chatRouter } from "./routers/chat";
import { guestRouter } from "./routers/guest";
import { lobbyRouter } from "./routers/lobby";
import { preferencesRouter } from "./routers/preferences";
import { recordingRouter } from "./recordings/router";
import { roomRouter } from "./routers/room";
import { teamRouter } from "./routers/team";
import { createCallerFactory, createTRPCRouter } from "./trpc";

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
