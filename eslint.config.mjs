// ESLint with typescript-eslint's type-aware rules, run in CI by `npm test` (npm run lint). Formatting is
// Prettier's (npm run format); ESLint keeps to correctness.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'src/generated/', 'node_modules/', '.cache/', 'fixtures/', 'bench/results/', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Values from JSON, YAML and user configs are `unknown`/`any` by nature; the readers narrow them.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // The tool's whole job includes control characters (escaping them in output, reading hostile input).
      'no-control-regex': 'off',
      // Same reason as no-unsafe-*: String() of a parsed YAML/INI/JSON scalar (typed unknown) is the intended conversion.
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // node:test's test() and describe() return promises the runner itself awaits.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
);
