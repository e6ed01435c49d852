// One lint configuration for the repository: ESLint's and typescript-eslint's recommended rules,
// with the types tsc sees (tsconfig.json), on the TypeScript and on the page's plain JavaScript.
// Layout is Prettier's job (.prettierrc.json); the one layout rule here is the line limit, which
// Prettier does not keep for comments.
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Until the one-time reformat (scripts/format-all.sh), the files .prettierignore lists as pending
// keep their long code lines: Prettier wraps them then. Delete this with that script.
const lines = readFileSync(new URL('.prettierignore', import.meta.url), 'utf8').split('\n');
const begin = lines.findIndex((l) => l.startsWith('# BEGIN pending'));
const end = lines.findIndex((l) => l.startsWith('# END pending'));
const unformatted = begin < 0 ? [] : lines.slice(begin + 1, end).filter((l) => l && !l.startsWith('#'));

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
    files: unformatted.length ? unformatted : ['(none)'],
    rules: { '@stylistic/max-len': ['error', { code: 120, ignoreUrls: true, ignorePattern: '^(?!\\s*(//|/?\\*))' }] },
  },
  {
    files: ['classifier-app/public/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
);
