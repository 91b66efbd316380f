import type { Metadata } from "next";

import { PageContainer, PageHeader } from "@/components/page";
import { ChangePasswordForm } from "@/features/settings/change-password-form";
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
        {/* <DeviceSettings /> (microphone, camera and speaker, with a live preview) goes here, as its own section. */}
        <SettingsSection
          title="Password"
          description="Changing it signs you out everywhere else, on other browsers and devices."
        >
          <ChangePasswordForm />
        </SettingsSection>
      </div>
    </PageContainer>
  );
}
