// One lint setup for the whole repository; each package runs `eslint .` against it.
import { fileURLToPath } from "node:url";

import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/dist/**",
      "**/.turbo/**",
      "**/next-env.d.ts",
      "**/test-results/**",
      // Vendor files copied from node_modules at dev/build time (git-ignored).
      "apps/web/public/processors/**",
      ".data/**",
      "bench/results/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": ["error", { allow: ["warn", "error"] }],
      // Next's bundlers drop the parts of zod a page does not use (its ~50 locales) only when it
      // is imported as a namespace: a named `z` put 93 kB (gzip) of zod in the call's code.
      "no-restricted-syntax": [
        "error",
        {
          selector: "ImportDeclaration[source.value=/zod/] > ImportSpecifier[imported.name='z']",
          message: 'Import zod as a namespace: import * as z from "zod" (or "../lib/zod").',
        },
      ],
    },
  },
  {
    files: ["**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
    },
  },
  {
    files: ["apps/web/**/*.{ts,tsx}"],
    plugins: { "@next/next": nextPlugin },
    rules: { ...nextPlugin.configs.recommended.rules, ...nextPlugin.configs["core-web-vitals"].rules },
    settings: { next: { rootDir: fileURLToPath(new URL("apps/web/", import.meta.url)) } },
  },
  {
    // The server's logic reads top to bottom in named steps: no function over 80 lines of code.
    files: ["packages/*/src/**/*.{ts,tsx}"],
    ignores: ["**/*.test.ts", "**/*.test.tsx"],
    rules: {
      "max-lines-per-function": ["error", { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Scripts and tests report to the terminal.
    files: [
      "scripts/**",
      "**/test/**",
      "**/e2e/**",
      "**/bench/**",
      "**/*.test.ts",
      "**/*.test.tsx",
      "**/cli/**",
    ],
    rules: { "no-console": "off" },
  },
);
