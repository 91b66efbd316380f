import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { recordingClient } from "@/features/room/in-room/testing/trpc";
import { ChangePasswordForm } from "@/features/settings/change-password-form";
import { DeleteAccount } from "@/features/settings/delete-account";

import { ForgotPasswordForm } from "./forgot-password-form";
import { ResetPasswordForm } from "./reset-password-form";
import { SignInForm } from "./sign-in-form";
import { SignUpForm } from "./sign-up-form";

vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace: vi.fn(), push: vi.fn(), refresh: vi.fn() }),
}));

afterEach(cleanup);

/**
 * Before the page's code has loaded (or when it never does: a blocked script, a dev server refusing
 * the page's origin), a form is submitted by the browser itself. A form without `method="post"`
 * would put the password in the address bar, the history and the server's log.
 */
function expectPostsWithoutJavaScript(ui: React.ReactElement, open?: string) {
  const { Provider } = recordingClient(() => ({ email: false }));
  render(<Provider>{ui}</Provider>);
  if (open) fireEvent.click(screen.getByRole("button", { name: open }));
  const forms = [...document.querySelectorAll("form")];
  expect(forms.length).toBeGreaterThan(0);
  for (const form of forms) {
    expect(form.method).toBe("post");
    // The fields never go into the URL the form is sent to.
    expect(form.getAttribute("action") ?? "").not.toMatch(/[?&](password|email)=/);
    expect(form.querySelector("input[name]")).not.toBeNull();
  }
}

describe("forms that carry a password post, never GET", () => {
  it.each([
    ["sign-up", <SignUpForm key="f" next="/" />],
    ["sign-in", <SignInForm key="f" next="/" emailReset={false} />],
    ["reset password", <ResetPasswordForm key="f" token="t" email="ada@example.com" />],
    ["forgot password", <ForgotPasswordForm key="f" />],
    ["change password", <ChangePasswordForm key="f" />],
  ])("%s", (_, ui) => expectPostsWithoutJavaScript(ui));

  it("delete account", () => expectPostsWithoutJavaScript(<DeleteAccount />, "Delete account"));
});
