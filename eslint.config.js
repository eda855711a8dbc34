// Lint: what the type checker does not catch. Floating promises (a rejected promise nobody
// awaits), promises passed where a callback's result is ignored, import cycles between modules,
// and `any` in the library.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.task-graph/**'] },
  {
    files: ['lib/**/*.ts', 'machines/**/*.ts', 'test/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver()],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      'import-x/no-cycle': 'error', // type-only imports (import type) are not cycles at run time and are skipped
    },
  },
  {
    files: ['lib/**/*.ts', 'machines/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
);
