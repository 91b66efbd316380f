import * as chat from "./logic";
import {
  chatRetentionInput,
  deleteChatInput,
  listChatInput,
  searchChatInput,
  sendChatInput,
} from "./schemas";
import { teamSlugInput } from "../lib/common-schemas";
import { createTRPCRouter, protectedProcedure } from "../lib/trpc";

export const chatRouter = createTRPCRouter({
  list: protectedProcedure
    .input(listChatInput)
    .query(({ ctx, input }) => chat.listMessages(ctx.services, ctx.user, input)),

  search: protectedProcedure
    .input(searchChatInput)
    .query(({ ctx, input }) => chat.searchMessages(ctx.services, ctx.user, input)),

  send: protectedProcedure
    .input(sendChatInput)
    .mutation(({ ctx, input }) => chat.sendMessage(ctx.services, ctx.user, input, input.body)),

  delete: protectedProcedure
    .input(deleteChatInput)
    .mutation(({ ctx, input }) => chat.deleteMessage(ctx.services, ctx.user, input, input.messageId)),

  retention: protectedProcedure
    .input(teamSlugInput)
    .query(({ ctx, input }) => chat.chatRetention(ctx.services, ctx.user, input.teamSlug)),

  setRetention: protectedProcedure
    .input(teamSlugInput.extend(chatRetentionInput.shape))
    .mutation(({ ctx, input }) => chat.setChatRetention(ctx.services, ctx.user, input.teamSlug, input.days)),
});
