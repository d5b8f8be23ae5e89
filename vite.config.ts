/**
 * Vite build of the web UI (src/ui/web) into dist/ui, served by the API at `/`
 * (src/ui/spa.ts). `npm run build` and `npm start` run it. React JSX is compiled by Vite's
 * built-in Oxc transform (automatic runtime), so no React plugin is needed.
 */
import { defineConfig } from "vite";

export default defineConfig({
  root: "src/ui/web",
  base: "/",
  publicDir: "public",
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "react" } },
  build: {
    outDir: "../../../dist/ui",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
    // No inline <script> or style: the CSP allows scripts and styles from 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
