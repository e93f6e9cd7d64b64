// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'grammar/diagrams.html', '**/*.wasm', 'test/fixtures/**/*.js', 'test/fixtures/**/*.cjs', 'test/fixtures/**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-implied-eval': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Library folders return data; the CLI prints (docs/architecture.md, "Layers").
    // What may write to stdout: src/cli/, the composition root of `supervisor run`
    // (the supervisor's log is its stdout), the benchmarks, the tests, and a
    // unit's own entry point and log helper (a unit's stdout is its log).
    files: ['src/**/*.ts', 'units/**/*.ts'],
    ignores: ['src/cli/**', 'src/system/**', 'units/*/main.ts', 'units/common/unit-log.ts', 'units/wasm-host/build-wat.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='stdout']",
          message: 'A library folder does not write to stdout: return data, or take an output from the caller (src/cli/ passes process.stdout).',
        },
        {
          selector: "VariableDeclarator[init.name='process'] > ObjectPattern > Property[key.name='stdout']",
          message: 'A library folder does not write to stdout: return data, or take an output from the caller (src/cli/ passes process.stdout).',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:process', importNames: ['stdout'], message: 'A library folder does not write to stdout (src/cli/ does).' },
            { name: 'process', importNames: ['stdout'], message: 'A library folder does not write to stdout (src/cli/ does).' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', setInterval: 'readonly', clearTimeout: 'readonly', clearInterval: 'readonly', Buffer: 'readonly' } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
);
