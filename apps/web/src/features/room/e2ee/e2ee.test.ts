import { CHAT_MESSAGE_MAX } from "@parlor/api/schemas/call";
import type { RemoteParticipant } from "livekit-client";
import { describe, expect, it } from "vitest";

import { decodeEncryptedChat } from "./in-call";
import { generatePassphrase, inviteLink, passphraseFromFragment } from "./passphrase";

describe("the passphrase in a link", () => {
  it("is read from the fragment only", () => {
    expect(passphraseFromFragment("#passphrase=velvet%20otter%20%26%2342")).toBe("velvet otter &#42");
    expect(passphraseFromFragment("#passphrase=")).toBeNull();
    expect(passphraseFromFragment("")).toBeNull();
    expect(passphraseFromFragment("#other=1")).toBeNull();
  });

  it("goes into the invite link's fragment, never its query string, and comes back out unchanged", () => {
    const secret = "a b&c=d#e?f/ü";
    const link = new URL(inviteLink("https://parlor.example/t/acme/vault?x=1#old", secret));
    expect(link.origin + link.pathname).toBe("https://parlor.example/t/acme/vault");
    expect(link.search).toBe("");
    expect(passphraseFromFragment(link.hash)).toBe(secret);
  });
});

describe("an encrypted call's chat message", () => {
  const from = { identity: "user-1", name: "Bea" } as RemoteParticipant;
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

  it("takes its author from LiveKit, not from the payload", () => {
    const message = decodeEncryptedChat(encode({ id: "m1", body: " hi ", authorName: "Ada" }), from);
    expect(message).toMatchObject({
      id: "user-1:m1",
      authorIdentity: "user-1",
      authorName: "Bea",
      body: "hi",
    });
  });

  it("is as long as the server's chat allows, counted in characters, and cut at a character", () => {
    const full = "😀".repeat(CHAT_MESSAGE_MAX);
    expect(decodeEncryptedChat(encode({ id: "m1", body: full }), from)?.body).toBe(full);
    expect(decodeEncryptedChat(encode({ id: "m2", body: `${full}😀` }), from)?.body).toBe(full);
  });

  it("ignores what is not a message, or has no sender (the server)", () => {
    expect(decodeEncryptedChat(encode({ id: "m1", body: "hi" }), undefined)).toBeNull();
    expect(decodeEncryptedChat(encode({ id: "m1", body: "   " }), from)).toBeNull();
    expect(decodeEncryptedChat(encode({ id: 7, body: "hi" }), from)).toBeNull();
    expect(decodeEncryptedChat(new TextEncoder().encode("not json"), from)).toBeNull();
  });
});

describe("a generated passphrase (the first person in an encrypted room)", () => {
  it("is 20 unambiguous characters in groups of five, new each time", () => {
    const made = new Set(Array.from({ length: 50 }, () => generatePassphrase()));
    expect(made.size).toBe(50);
    for (const passphrase of made) expect(passphrase).toMatch(/^[a-hjkmnp-z2-9]{5}(-[a-hjkmnp-z2-9]{5}){3}$/);
  });

  it("skips the bytes that would favour some characters", () => {
    // 248 and above would wrap around the 31 characters unevenly: they are never used.
    const passphrase = generatePassphrase((bytes) => bytes.map((_, i) => (i % 2 === 0 ? 250 : 0)));
    expect(passphrase).toBe("aaaaa-aaaaa-aaaaa-aaaaa");
  });
});
