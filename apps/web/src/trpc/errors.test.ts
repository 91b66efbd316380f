import { describe, expect, it } from "vitest";

import { describeError, fieldError, type ClientError } from "./errors";
import { shouldRetry } from "./query-client";

const clientError = (
  message: string,
  data: Partial<ClientError["data"]> & { httpStatus: number; code: string },
) => ({ message, data: { path: "x", ...data }, shape: undefined }) as unknown as ClientError;

describe("describeError", () => {
  it("reads the message, code, field errors and retry time the server sent", () => {
    const error = clientError("Too many sign-in attempts. Please try again in 30 seconds.", {
      code: "TOO_MANY_REQUESTS",
      httpStatus: 429,
      retryAfterSeconds: 30,
    });
    expect(describeError(error)).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      retryAfterSeconds: 30,
      fieldErrors: {},
    });
    const bad = clientError("email: Enter a valid email address.", {
      code: "BAD_REQUEST",
      httpStatus: 400,
      fieldErrors: { email: ["Enter a valid email address."] },
    });
    expect(fieldError(bad, "email")).toBe("Enter a valid email address.");
  });

  it("turns a network failure into a sentence a person can act on", () => {
    expect(describeError(new TypeError("Failed to fetch")).message).toMatch(/could not be reached/);
    expect(describeError(null).message).toMatch(/Something went wrong/);
  });
});

describe("shouldRetry", () => {
  it("never retries what the server refused, retries the rest twice", () => {
    expect(shouldRetry(0, clientError("x", { code: "NOT_FOUND", httpStatus: 404 }))).toBe(false);
    expect(shouldRetry(0, clientError("x", { code: "SERVICE_UNAVAILABLE", httpStatus: 503 }))).toBe(true);
    expect(shouldRetry(2, clientError("x", { code: "SERVICE_UNAVAILABLE", httpStatus: 503 }))).toBe(false);
    expect(shouldRetry(0, new TypeError("Failed to fetch"))).toBe(true);
  });
});
