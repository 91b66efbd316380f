import type { Metadata } from "next";

import { PageContainer, PageHeader } from "@/components/page";
import { DeviceSettings } from "@/features/room/device-settings";
import { ChangePasswordForm } from "@/features/settings/change-password-form";
import { DeleteAccount } from "@/features/settings/delete-account";
import { JoinDefaultsForm } from "@/features/settings/join-defaults-form";
import { ProfileForm } from "@/features/settings/profile-form";
import { SettingsSection } from "@/features/settings/settings-section";
import { loadForPage, requireUser, serverApi } from "@/trpc/server";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const user = await requireUser();
  const preferences = await loadForPage(async () => (await serverApi()).preferences.get());
  return (
    <PageContainer className="max-w-4xl">
      <PageHeader title="Settings" description="How you appear to others and how you join rooms." />
      <div className="grid gap-10">
        <SettingsSection title="Profile" description="Your name in rooms, and the account you sign in with.">
          <ProfileForm user={user} initialPreferences={preferences} />
        </SettingsSection>
        <SettingsSection
          title="Joining a room"
          description="What's on when you walk into a room. You can still change it before you join."
        >
          <JoinDefaultsForm initialPreferences={preferences} />
        </SettingsSection>
        <SettingsSection
          title="Camera, microphone and speaker"
          description="Check how you look and sound, and pick the devices Parlor uses."
        >
          <DeviceSettings />
        </SettingsSection>
        <SettingsSection
          title="Password"
          description="Changing it signs you out everywhere else, on other browsers and devices."
        >
          <ChangePasswordForm />
        </SettingsSection>
        <SettingsSection title="Delete account" description="Leave Parlor for good.">
          <DeleteAccount />
        </SettingsSection>
      </div>
    </PageContainer>
  );
}
