import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// `npm run dev` proxies the API to a Tidings server started with `tidings serve --demo`.
const api = process.env["TIDINGS_DEV_SERVER"] ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
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
