// Lint: the recommended rules with type information, plus the project's few house rules.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'runs/',
      'coverage/',
      'bench/results/',
      'scratch/',
      'test-results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Randomness comes from engine/random everywhere, so every run reproduces from its seed.
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Use engine/random: runs must reproduce from their seed.',
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      // Prettier wraps code at 100 columns; this holds comments to it too. Drawn and tabular blocks
      // (a comment line indented past its text) and long strings keep their shape.
      'max-len': [
        'error',
        {
          code: 100,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreUrls: true,
          ignoreRegExpLiterals: true,
          ignorePattern: '^\\s*(\\*|//)\\s{2,}',
        },
      ],
    },
  },
  {
    // A function reads in one screen: the engine, the command line, the page, the bench.
    files: ['**/*.ts'],
    ignores: ['test/**'],
    rules: {
      'max-lines-per-function': ['error', { max: 70, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // The engine reads no clock: time comes in as `now` (engine/time/wallClock.ts is the one
    // reader).
    files: ['engine/**/*.ts', 'workers/**/*.ts'],
    ignores: ['engine/time/wallClock.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Use engine/random: runs must reproduce from their seed.',
        },
        {
          object: 'Date',
          property: 'now',
          message: 'Take `now` as an argument; only engine/time reads the clock.',
        },
        {
          object: 'performance',
          property: 'now',
          message: 'Take `now` as an argument; only engine/time reads the clock.',
        },
        {
          object: 'process',
          property: 'hrtime',
          message: 'Take `now` as an argument; only engine/time reads the clock.',
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'new Date() reads the clock; take the time as an argument.',
        },
      ],
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'node:perf_hooks', message: 'Only engine/time reads the clock.' }] },
      ],
    },
  },
  {
    // The engine sets no timer of its own: waits come through an injected Scheduler
    // (engine/time/scheduler.ts).
    files: ['engine/**/*.ts', 'workers/**/*.ts'],
    ignores: ['engine/time/wallClock.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        {
          name: 'setTimeout',
          message: 'Wait through the Scheduler passed in (engine/time/scheduler.ts).',
        },
        {
          name: 'setInterval',
          message: 'Repeat through the Scheduler passed in (engine/time/scheduler.ts).',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:perf_hooks', message: 'Only engine/time reads the clock.' },
            { name: 'node:timers', message: 'Wait through the Scheduler passed in.' },
            { name: 'node:timers/promises', message: 'Wait through the Scheduler passed in.' },
          ],
        },
      ],
    },
  },
  {
    // Plain JavaScript outside the TypeScript project: linted without type information.
    files: ['eslint.config.js', '.dependency-cruiser.cjs', 'scripts/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['.dependency-cruiser.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly' },
    },
  },
)
