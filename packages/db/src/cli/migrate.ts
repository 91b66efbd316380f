// `pnpm db:migrate`: applies the committed migrations to DATABASE_URL, or to the embedded database.
import { createDatabase } from "../client";

const handle = createDatabase({ url: process.env.DATABASE_URL || undefined });
try {
  await handle.migrate();
  console.log(`Migrations applied (${handle.driver}).`);
} catch (error) {
  console.error("Migration failed:", error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await handle.close();
}
