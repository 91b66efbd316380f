/**
 * Runs once when the server starts. On Node it validates the configuration and opens and
 * migrates the database (see instrumentation-node.ts).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    await import("./instrumentation-node");
  }
}
