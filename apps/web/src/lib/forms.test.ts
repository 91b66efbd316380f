import { signUpInput } from "@parlor/api/schemas";
import { describe, expect, it } from "vitest";

import { appOriginFromEnv } from "./app-origin";
import { firstError, validate, withoutField } from "./forms";
import { signInPath, signUpPath } from "./request-path";

describe("validate", () => {
  it("returns the parsed data, as the server would see it", () => {
    const result = validate(signUpInput, {
      name: "  Ada  ",
      email: " ADA@Example.com ",
      password: "long enough",
    });
    expect(result).toEqual({
      ok: true,
      data: { name: "Ada", email: "ada@example.com", password: "long enough" },
    });
  });

  it("returns one list of messages per field at fault", () => {
    const result = validate(signUpInput, { name: "", email: "nope", password: "short" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.fieldErrors).sort()).toEqual(["email", "name", "password"]);
    expect(result.fieldErrors.password?.[0]).toMatch(/at least 8/);
  });
});

describe("field errors", () => {
  it("prefers the first source that has a message", () => {
    expect(firstError("email", { email: ["client"] }, { email: ["server"] })).toBe("client");
    expect(firstError("email", {}, { email: ["server"] })).toBe("server");
    expect(firstError("email", {}, undefined)).toBeUndefined();
  });

  it("drops one field and keeps the others", () => {
    const errors = { email: ["a"], name: ["b"] };
    expect(withoutField(errors, "email")).toEqual({ name: ["b"] });
    expect(withoutField(errors, "password")).toBe(errors);
  });
});

describe("sign-in links", () => {
  it("carry where to go next, except home", () => {
    expect(signInPath("/settings")).toBe("/sign-in?next=%2Fsettings");
    expect(signInPath("/t/acme?tab=1")).toBe("/sign-in?next=%2Ft%2Facme%3Ftab%3D1");
    expect(signInPath("/")).toBe("/sign-in");
    expect(signUpPath("/invite/abc")).toBe("/sign-up?next=%2Finvite%2Fabc");
  });
});

describe("appOriginFromEnv", () => {
  it("reads APP_URL's origin like the API's config, blank meaning unset", () => {
    expect(appOriginFromEnv({ APP_URL: "https://meet.example.com/some/path" })).toBe(
      "https://meet.example.com",
    );
    expect(appOriginFromEnv({ APP_URL: "  " })).toBeUndefined();
    expect(appOriginFromEnv({})).toBeUndefined();
  });
});
