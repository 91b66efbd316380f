import type { RouterOutputs } from "@parlor/api";

export type TeamRole = RouterOutputs["team"]["list"][number]["role"];

export const ROLE_LABELS: Record<TeamRole, string> = { owner: "Owner", admin: "Admin", member: "Member" };

export const ROLE_WITH_ARTICLE: Record<TeamRole, string> = {
  owner: "an owner",
  admin: "an admin",
  member: "a member",
};

export const ROLE_DESCRIPTIONS: Record<TeamRole, string> = {
  owner: "Everything, including managing owners",
  admin: "Manage members, invites and rooms",
  member: "Join and create rooms",
};

export const canManage = (role: TeamRole) => role === "owner" || role === "admin";
