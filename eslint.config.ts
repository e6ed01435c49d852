// One lint configuration for the repository: ESLint's and typescript-eslint's recommended rules,
// with the types tsc sees (tsconfig.json), on the TypeScript and on the page's plain JavaScript.
// Layout is Prettier's job (.prettierrc.json); the one layout rule here is the line limit, which
// Prettier does not keep for comments.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['**/node_modules/', 'test/artifacts/']),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    plugins: { '@stylistic': stylistic },
    rules: {
      // A long string, URL or pattern reads better whole than cut in pieces.
      '@stylistic/max-len': [
        'error',
        { code: 120, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true },
      ],
      // An async function without await is no bug: fastify's handlers are async so that what they
      // return is the reply.
      '@typescript-eslint/require-await': 'off',
      // node:test's describe() and test() return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'suite', 'test', 'it'] },
          ],
        },
      ],
    },
  },
  {
    files: ['classifier-app/public/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
);
