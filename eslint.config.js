import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.local/', 'results/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    // k6 scripts run in k6, whose globals these are.
    files: ['load-test/k6/**/*.js'],
    languageOptions: { globals: { __ENV: 'readonly', __VU: 'readonly', __ITER: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
      'no-console': 'off',
      // kafkajs stays behind lib/src/kafka (its types: lib/src/kafka/types.ts).
      'no-restricted-imports': ['error', { paths: [{ name: 'kafkajs', message: 'import from lib/src/kafka (types.ts re-exports its types)' }] }]
    }
  },
  {
    // The wrapper itself, and its tests, which check our producer against kafkajs' own partitioner.
    files: ['lib/src/kafka/**', 'lib/test/unit/kafka/**'],
    rules: { 'no-restricted-imports': 'off' }
  }
)
