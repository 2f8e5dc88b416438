import { gzipSync } from "node:zlib";

import react from "@vitejs/plugin-react";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

// `npm run dev` proxies the API to a Tidings server started with `tidings serve --demo`.
const api = process.env["TIDINGS_DEV_SERVER"] ?? "http://127.0.0.1:8000";

/** The most the dashboard's JavaScript and CSS may weigh, gzipped, before the build fails. */
export const BUNDLE_LIMIT_BYTES = 110 * 1024;

/** Prints what the page downloads (JS + CSS, gzipped) and fails the build above the limit. */
function bundleBudget(limit: number): Plugin {
  return {
    name: "tidings-bundle-budget",
    apply: "build",
    generateBundle(_options, bundle) {
      let raw = 0;
      let gzipped = 0;
      for (const item of Object.values(bundle)) {
        if (!/\.(js|css)$/.test(item.fileName)) continue;
        const source = item.type === "chunk" ? item.code : item.source;
        raw += typeof source === "string" ? Buffer.byteLength(source) : source.byteLength;
        gzipped += gzipSync(source, { level: 9 }).byteLength;
      }
      const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
      const line = `bundle: ${kB(raw)}, ${kB(gzipped)} gzipped (limit ${kB(limit)} gzipped)`;
      if (gzipped > limit) this.error(`${line}: over the limit`);
      console.log(line);
    },
  };
}

export default defineConfig({
  base: "/",
  plugins: [react(), bundleBudget(BUNDLE_LIMIT_BYTES)],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Source maps only on request (TIDINGS_SOURCEMAP=1): the server would publish them.
    sourcemap: process.env["TIDINGS_SOURCEMAP"] === "1",
  },
  server: {
    proxy: {
      "/graphql": { target: api, ws: true, changeOrigin: true },
      "/demo": { target: api, changeOrigin: true },
    },
  },
  test: {
    globalSetup: ["test/globalSetup.ts"],
    include: ["test/**/*.test.{ts,tsx}"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One real server is shared; files run one after another so timings stay honest.
    fileParallelism: false,
  },
});
