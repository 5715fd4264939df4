import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The web app, built into web/dist and served by the API process at / (server/api/web.ts).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // No inline script anywhere: the CSP allows scripts from our own origin only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    // `npx vite web` during development: the API (npm start) answers /v1 on its port.
    proxy: { "/v1": "http://127.0.0.1:3000", "/ready": "http://127.0.0.1:3000" },
  },
});
