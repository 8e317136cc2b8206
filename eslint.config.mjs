import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import grafanaConfig from '@grafana/eslint-config/flat.js';

// The Grafana app plugin (src/): Grafana's shared config (React, hooks, jsdoc, style rules).
const pluginFiles = ['src/**/*.{ts,tsx}'];

export default tseslint.config(
  // .config/ is the create-plugin scaffold's build setup, kept as generated.
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '**/*.d.ts', '.config/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', HTMLCanvasElement: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...grafanaConfig.map((config) => ({ ...config, files: pluginFiles })),
  {
    files: pluginFiles,
    languageOptions: { parserOptions: { project: './tsconfig.json' } },
    settings: { react: { version: '18' } },
    rules: {
      // TypeScript checks names; the browser's globals are not listed here.
      'no-undef': 'off',
      'react/prop-types': 'off',
      // JSX compiles with the automatic runtime ("jsx": "react-jsx").
      'react/react-in-jsx-scope': 'off',
      'react/jsx-uses-react': 'off',
      '@typescript-eslint/no-deprecated': 'warn',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
);
