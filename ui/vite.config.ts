// Vite builds the till UI into ui/dist, which the Tauri shell embeds (`frontendDist: "ui/dist"`).
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fynloBridge } from './dev/fynlo-bridge';

export default defineConfig({
  plugins: [svelte(), fynloBridge()],
  // Tauri prints its own output; clearing the screen would hide Rust errors during `tauri dev`.
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The WebViews Tauri uses: WebView2 (Chromium) on Windows, WebKit elsewhere (iPad included).
    // Safari 15 is the oldest WebKit with everything the UI uses (BigInt, `??=`, `at()` is avoided).
    target: process.env.TAURI_ENV_PLATFORM === 'windows' ? 'chrome105' : 'safari15',
    sourcemap: Boolean(process.env.TAURI_ENV_DEBUG),
  },
  test: {
    include: ['src/**/*.test.ts', 'dev/**/*.test.ts'],
    environment: 'node',
  },
});
