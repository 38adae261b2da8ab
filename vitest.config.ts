import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

const shared = { testTimeout: 120_000, hookTimeout: 120_000 };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'node',
          include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
          exclude: ['src/renderer/**', '**/node_modules/**'],
          environment: 'node',
          // onnxruntime sessions use both cores; running test files one at a time keeps timings sane.
          fileParallelism: false,
        },
      },
      {
        // Svelte components in jsdom: the svelte plugin compiles them, svelteTesting resolves Svelte's
        // browser build (not its server one) and cleans the DOM after each test.
        plugins: [svelte({ configFile: new URL('./svelte.config.js', import.meta.url).pathname }), svelteTesting()],
        resolve: { conditions: ['browser'] },
        test: {
          ...shared,
          name: 'renderer',
          include: ['src/renderer/**/*.spec.ts'],
          environment: 'jsdom',
        },
      },
    ],
  },
});
