/**
 * Issue 19, row 11: addresses and cookies whose percent-encoding is broken (`%E0%A4%A`) answered
 * 500, with a URIError stack in the log at error level. The production server must answer them
 * as the bad requests they are (400, or 404 where the page's own "not found" says more), and log
 * at most a warning, without a stack. No browser is needed: plain requests to the served build.
 */
import { afterAll, beforeAll, expect, test } from "vitest";

import { startApp, type RunningApp } from "./harness";

const MALFORMED = "%E0%A4%A";
const PAGES = [
  `/g/${MALFORMED}`,
  `/reset-password/${MALFORMED}`,
  `/invite/${MALFORMED}`,
  `/t/${MALFORMED}`,
  `/t/${MALFORMED}/${MALFORMED}`,
  `/sign-in?next=${encodeURIComponent(`/invite/${MALFORMED}`)}`,
];

let app: RunningApp;
let sessionCookie: string;

beforeAll(async () => {
  app = await startApp();
  const created = await fetch(`${app.url}/api/trpc/auth.signUp`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: app.url },
    body: JSON.stringify({
      json: { email: "mal@example.com", password: "correct horse battery staple", name: "Mal Formed" },
    }),
  });
  expect(created.status).toBe(200);
  sessionCookie = created.headers.getSetCookie()[0]!.split(";")[0]!;
});

afterAll(async () => {
  await app?.stop();
});

/** What the server logged while `run` ran. */
async function logged(run: () => Promise<void>): Promise<string> {
  const before = app.output().length;
  await run();
  // Logs are written as the response goes out; give the pipe a moment to deliver them.
  await new Promise((resolve) => setImmediate(resolve));
  return app.output().slice(before);
}

const get = (path: string, cookie?: string) =>
  fetch(`${app.url}${path}`, { redirect: "manual", headers: cookie ? { cookie } : {} });

function expectNoErrorLogged(log: string) {
  expect(log).not.toMatch(/URIError|URI malformed|"level":50|"level":60|^\s+at /m);
}

test("a page address with broken percent-encoding answers 400 or 404, signed out and signed in", async () => {
  const log = await logged(async () => {
    for (const cookie of [undefined, sessionCookie]) {
      for (const path of PAGES) {
        const response = await get(path, cookie);
        const what = `${path} ${cookie ? "signed in" : "signed out"}: ${response.status}`;
        if (path.startsWith("/sign-in")) {
          // A next= that cannot be read is no reason to refuse the sign-in page.
          expect([200, 307], what).toContain(response.status);
        } else {
          expect([400, 404], what).toContain(response.status);
        }
        const page = await response.text();
        // Whichever answer, it offers a way on.
        if (response.status === 400) expect(page, what).toMatch(/copied the whole link.*home page/s);
      }
    }
  });
  expectNoErrorLogged(log);
});

test("a broken guest or session cookie is ignored by the pages, and only a warning is logged", async () => {
  const log = await logged(async () => {
    for (const cookie of [`parlor_guest=${MALFORMED}`, `auth_session=${MALFORMED}`]) {
      for (const path of ["/g/no-such-link", "/sign-in", "/"]) {
        const response = await get(path, cookie);
        expect(response.status, `${path} with ${cookie}`).toBeLessThan(500);
        await response.arrayBuffer();
      }
      const status = await get("/api/trpc/guest.status", cookie);
      expect(status.status).toBe(401);
      await status.arrayBuffer();
    }
  });
  expectNoErrorLogged(log);
});
