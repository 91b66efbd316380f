// Testing Library gives findBy*/waitFor one second by default. Components here load lazily
// (next/dynamic, import()) and a cold, busy 2-core machine can take many seconds to import them:
// wait for what the test checks, with a bound that only catches a real hang.
import { configure } from "@testing-library/react";

configure({ asyncUtilTimeout: 30_000 });
