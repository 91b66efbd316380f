import * as z from "../lib/zod";

import { displayText } from "../lib/common-schemas";

const deviceId = z.string().max(512).nullable();
const deviceLabel = z.string().max(256).nullable();

export const preferencesSchema = z.object({
  displayName: displayText("Display name").nullable(),
  microphoneEnabled: z.boolean(),
  cameraEnabled: z.boolean(),
  audioInputId: deviceId,
  audioInputLabel: deviceLabel,
  videoInputId: deviceId,
  videoInputLabel: deviceLabel,
  audioOutputId: deviceId,
  audioOutputLabel: deviceLabel,
});

export const updatePreferencesInput = preferencesSchema.partial();

export type Preferences = z.output<typeof preferencesSchema>;
export type UpdatePreferencesInput = z.input<typeof updatePreferencesInput>;
