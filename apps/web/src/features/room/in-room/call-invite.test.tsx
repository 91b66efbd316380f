import { cleanup, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { CallInvite } from "./call-invite";
import { recordingClient } from "./testing/trpc";

afterEach(cleanup);

function renderInvite(props: { moderator: boolean; encrypted?: boolean; membersMay?: boolean }) {
  const { calls, Provider } = recordingClient((path) =>
    path === "team.guestLinkPolicy"
      ? { membersCreateGuestLinks: props.membersMay ?? false, canChange: false }
      : { ok: true },
  );
  render(
    <Provider>
      <CallInvite
        teamSlug="acme"
        roomSlug="standup"
        roomTitle="Standup"
        moderator={props.moderator}
        encrypted={props.encrypted ?? false}
      />
    </Provider>,
  );
  return calls;
}

describe("inviting from the call", () => {
  it("moderators copy the room's link and make guest links", () => {
    renderInvite({ moderator: true });
    expect(screen.getByRole("button", { name: "Copy link" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Guest link" })).toBeTruthy();
  });

  it("members copy the link, and make guest links only when the team allows it", async () => {
    const calls = renderInvite({ moderator: false, membersMay: false });
    expect(screen.getByRole("button", { name: "Copy link" })).toBeTruthy();
    await waitFor(() => expect(calls.map((c) => c.path)).toContain("team.guestLinkPolicy"));
    expect(screen.queryByRole("button", { name: "Guest link" })).toBeNull();
    cleanup();
    renderInvite({ moderator: false, membersMay: true });
    await screen.findByRole("button", { name: "Guest link" });
  });

  it("an encrypted room takes no guests: only the room's link", () => {
    renderInvite({ moderator: true, encrypted: true });
    expect(screen.getByRole("button", { name: "Copy link" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Guest link" })).toBeNull();
  });
});
