import { schema } from "@parlor/db";
import { eq } from "drizzle-orm";

import type { Preferences, UpdatePreferencesInput } from "./preferences-schemas";
import type { Services } from "../lib/services";

const columns = {
  displayName: schema.userPreferences.displayName,
  microphoneEnabled: schema.userPreferences.microphoneEnabled,
  cameraEnabled: schema.userPreferences.cameraEnabled,
  audioInputId: schema.userPreferences.audioInputId,
  audioInputLabel: schema.userPreferences.audioInputLabel,
  videoInputId: schema.userPreferences.videoInputId,
  videoInputLabel: schema.userPreferences.videoInputLabel,
  audioOutputId: schema.userPreferences.audioOutputId,
  audioOutputLabel: schema.userPreferences.audioOutputLabel,
};

export const DEFAULT_PREFERENCES: Preferences = {
  displayName: null,
  microphoneEnabled: true,
  cameraEnabled: true,
  audioInputId: null,
  audioInputLabel: null,
  videoInputId: null,
  videoInputLabel: null,
  audioOutputId: null,
  audioOutputLabel: null,
};

export async function getPreferences(svc: Services, userId: string): Promise<Preferences> {
  const [row] = await svc.db
    .select(columns)
    .from(schema.userPreferences)
    .where(eq(schema.userPreferences.userId, userId));
  return row ?? DEFAULT_PREFERENCES;
}

export async function updatePreferences(
  svc: Services,
  userId: string,
  changes: Partial<Preferences> & UpdatePreferencesInput,
): Promise<Preferences> {
  const [row] = await svc.db
    .insert(schema.userPreferences)
    .values({ userId, ...changes })
    .onConflictDoUpdate({ target: schema.userPreferences.userId, set: { ...changes, updatedAt: new Date() } })
    .returning(columns);
  return row ?? DEFAULT_PREFERENCES;
}
