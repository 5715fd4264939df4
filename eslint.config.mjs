// ESLint for the TypeScript sources: typescript-eslint's type-checked recommended rules, nothing home-made.
// Generated code (TypeChain, Prisma clients) and build output are not linted.
// web/ is linted with its own tsconfig (projectService finds the nearest one per file).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "artifacts/**",
      "cache/**",
      "coverage/**",
      "dist/**",
      "typechain-types/**",
      "server/db/generated/**",
      "web/src/lib/api/schema.d.ts",
      "web/dist/**",
      "wip/**",
      "**/*.js",
      "**/*.mjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A leading underscore marks a parameter an interface requires but this implementation does not use
      // (Express's four-argument error handler); rest siblings drop fields on purpose.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // Off: async functions here implement Promise-returning interfaces (the Db interface over synchronous
      // better-sqlite3, route handlers, test doubles); the rule would force `Promise.resolve` wrappers that say less.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // Supertest types every response body as `any`; the harness validates each 2xx body against its route's
    // declared zod schema at run time, which is the check these rules would stand in for.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  {
    // React event props take a function returning void; react-hook-form's handleSubmit returns a promise it
    // handles itself. typescript-eslint's documented setting for this: check everything but JSX attributes.
    files: ["web/**/*.tsx"],
    rules: {
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
    },
  },
);
