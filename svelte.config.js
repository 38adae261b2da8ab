import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/vite-plugin-svelte').SvelteConfig} */
export default {
  preprocess: vitePreprocess(),
  vitePlugin: {
    // Runes mode for our own components; libraries in node_modules decide for themselves.
    dynamicCompileOptions: ({ filename, compileOptions }) =>
      filename.split(/[/\\]/).includes('node_modules') || compileOptions.runes ? undefined : { runes: true },
  },
};
