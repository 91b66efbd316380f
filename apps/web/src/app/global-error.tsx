"use client";

import { useEffect } from "react";

/** Replaces the root layout when it fails, so it brings its own document and plain styles. */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <html lang="en">
      <body
        style={{
          fontFamily: "system-ui, sans-serif",
          display: "grid",
          placeItems: "center",
          minHeight: "100vh",
          margin: 0,
          textAlign: "center",
          padding: "1rem",
        }}
      >
        <div>
          <title>Something went wrong · Parlor</title>
          <h1 style={{ fontSize: "1.25rem" }}>Parlor couldn't load</h1>
          <p style={{ color: "#666" }}>
            It may be starting up or briefly unavailable. Please try again in a moment.
          </p>
          <button
            onClick={() => retry()}
            style={{ marginTop: "1rem", padding: "0.5rem 1rem", borderRadius: 8, border: "1px solid #ccc" }}
          >
            Try again
          </button>
        </div>
      </body>
    </html>
  );
}
