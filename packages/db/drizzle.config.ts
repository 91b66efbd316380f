import { defineConfig } from "drizzle-kit";

// Only used to generate migrations (`pnpm db:generate`); they are committed as SQL and applied
// by the app itself (see src/migrate.ts), never with `push`.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema.ts",
  out: "./migrations",
});
