/** Makes sure there is a production build to test (builds it when missing or older than the sources). */
import { ensureBuild } from "../src/build";

export default async function setup() {
  const mode = (process.env.PARLOR_RELIABILITY_BUILD ?? "auto") as "auto" | "never" | "always";
  await ensureBuild({ mode, log: (line) => console.log(`[reliability] ${line}`) });
}
