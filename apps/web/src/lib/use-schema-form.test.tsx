import { createRoomInput, signUpInput } from "@parlor/api/schemas";
import { act, cleanup, renderHook } from "@testing-library/react";
import type { FormEvent } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { useSchemaForm } from "./use-schema-form";

afterEach(cleanup);

const EMPTY = { name: "", email: "", password: "" };

function submitEvent() {
  return { preventDefault: vi.fn() } as unknown as FormEvent<HTMLFormElement>;
}

/** An error shaped like a tRPC client error carrying the server's field messages. */
function serverError(fieldErrors: Record<string, string[]>) {
  return Object.assign(new Error("Check the highlighted fields."), { data: { fieldErrors } });
}

describe("useSchemaForm", () => {
  it("shows the client's field errors, keeps the values and does not submit", () => {
    const { result } = renderHook(() => useSchemaForm(signUpInput, EMPTY));
    const onValid = vi.fn();
    act(() => result.current.update("email", "nope"));
    const event = submitEvent();
    act(() => result.current.handleSubmit(onValid)(event));

    expect(event.preventDefault).toHaveBeenCalled();
    expect(onValid).not.toHaveBeenCalled();
    expect(result.current.values).toEqual({ ...EMPTY, email: "nope" });
    expect(result.current.errors.of("name")).toBeTruthy();
    expect(result.current.errors.of("email")).toBeTruthy();
    expect(result.current.errors.of("password")).toMatch(/at least 8/);
  });

  it("clears only the edited field's errors, from the client and the server", () => {
    const { result } = renderHook(() => useSchemaForm(signUpInput, EMPTY));
    act(() => result.current.handleSubmit(vi.fn())(submitEvent()));
    act(() => result.current.errors.fromServer(serverError({ email: ["That email is taken."] })));
    expect(result.current.errors.of("email")).toBeTruthy();

    act(() => result.current.update("name", "Ada"));
    expect(result.current.errors.of("name")).toBeUndefined();
    expect(result.current.errors.of("password")).toBeTruthy();

    act(() => result.current.update("email", "ada@example.com"));
    expect(result.current.errors.of("email")).toBeUndefined();
  });

  it("submits the parsed data and clears earlier errors", () => {
    const { result } = renderHook(() => useSchemaForm(signUpInput, EMPTY));
    act(() => result.current.errors.fromServer(serverError({ password: ["Too common."] })));
    act(() => {
      result.current.update("name", "  Ada ");
      result.current.update("email", " ADA@Example.com");
    });
    act(() => result.current.update("password", "long enough"));
    const onValid = vi.fn();
    act(() => result.current.handleSubmit(onValid)(submitEvent()));

    expect(onValid).toHaveBeenCalledWith({ name: "Ada", email: "ada@example.com", password: "long enough" });
    expect(result.current.errors.of("password")).toBeUndefined();
    expect(result.current.values.name).toBe("  Ada ");
  });

  it("checks what toInput makes of the values", () => {
    const { result } = renderHook(() =>
      useSchemaForm(createRoomInput, { name: "" }, ({ name }) => ({ teamSlug: "acme", name })),
    );
    act(() => result.current.update("name", "Daily standup"));
    const onValid = vi.fn();
    act(() => result.current.handleSubmit(onValid)(submitEvent()));
    expect(onValid).toHaveBeenCalledWith(
      expect.objectContaining({ teamSlug: "acme", name: "Daily standup" }),
    );
  });

  it("shows the server's field errors and counts down a throttled call's wait", () => {
    const { result } = renderHook(() => useSchemaForm(signUpInput, EMPTY));
    act(() => result.current.onServerError(serverError({ email: ["That email is taken."] })));
    expect(result.current.errors.of("email")).toBe("That email is taken.");
    expect(result.current.retry.seconds).toBe(0);

    const throttled = Object.assign(new Error("Too many attempts."), {
      data: { code: "TOO_MANY_REQUESTS", retryAfterSeconds: 30 },
    });
    act(() => result.current.onServerError(throttled));
    expect(result.current.retry.seconds).toBe(30);
  });

  it("resets to the initial values, or to given ones, without errors", () => {
    const { result } = renderHook(() => useSchemaForm(signUpInput, EMPTY));
    act(() => result.current.update("email", "nope"));
    act(() => result.current.handleSubmit(vi.fn())(submitEvent()));
    act(() => result.current.reset());
    expect(result.current.values).toEqual(EMPTY);
    expect(result.current.errors.of("name")).toBeUndefined();

    const saved = { name: "Ada", email: "ada@example.com", password: "" };
    act(() => result.current.reset(saved));
    expect(result.current.values).toEqual(saved);
  });
});
