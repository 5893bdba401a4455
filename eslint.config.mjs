// ESLint for every TypeScript package; formatting is Prettier's job (eslint-config-prettier turns the
// overlapping rules off).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/lib/**',
      '**/dist/**',
      'packages/server/**',
      'ui-tests/test-results/**',
      'ui-tests/playwright-report/**',
      '.venv/**',
      'data/**',
      'test-fixtures/**'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node }
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      curly: ['error', 'all']
    }
  },
  {
    files: [
      '**/test/**',
      '**/test-integration/**',
      '**/bench/**',
      'ui-tests/**',
      'scripts/**',
      '**/build.mjs',
      '**/bin/**',
      '**/cli/**'
    ],
    rules: { 'no-console': 'off' }
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  },
  prettier
);
