import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { TestProject } from "vitest/node";

import { freePort, startServer } from "./server";

declare module "vitest" {
  export interface ProvidedContext {
    tidingsUrl: string;
    tidingsSecret: string;
  }
}

/** One demo server for the whole run, on a free port with a throwaway SQLite file. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), "tidings-vitest-"));
  const secret = `vitest-${Math.random().toString(36).slice(2)}`;
  const server = await startServer({
    port: await freePort(),
    databasePath: join(dir, "tidings.db"),
    secret,
  });
  project.provide("tidingsUrl", server.url);
  project.provide("tidingsSecret", secret);
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
