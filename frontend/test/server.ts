/** Starts and stops a real `tidings serve --demo` for the tests. */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** `TIDINGS_BIN`, else the repository's venv, else `tidings` on PATH. */
export function tidingsBin(): string {
  const fromEnv = process.env["TIDINGS_BIN"];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const venv = resolve(REPO, ".venv", "bin", "tidings");
  return existsSync(venv) ? venv : "tidings";
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      if (address === null || typeof address === "string") {
        reject(new Error("freePort: no TCP address"));
        return;
      }
      probe.close(() => resolvePort(address.port));
    });
  });
}

export interface ServerOptions {
  port: number;
  databasePath: string;
  secret: string;
  env?: Record<string, string>;
}

export interface RunningServer {
  readonly url: string;
  readonly wsUrl: string;
  stop(): Promise<void>;
}

/** Starts the server and resolves once `/readyz` answers 200 (at most `timeoutMs`). */
export async function startServer(
  options: ServerOptions,
  timeoutMs = 30_000,
): Promise<RunningServer> {
  const url = `http://127.0.0.1:${options.port}`;
  const child: ChildProcess = spawn(
    tidingsBin(),
    ["serve", "--demo", "--port", String(options.port)],
    {
      env: {
        ...process.env,
        TIDINGS_DATABASE_URL: `sqlite+aiosqlite:///${options.databasePath}`,
        TIDINGS_SECRET: options.secret,
        TIDINGS_TRENDING_INTERVAL: "1",
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once("exit", resolveExit));

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`tidings serve exited with ${child.exitCode} before /readyz:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`tidings serve not ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((wake) => setTimeout(wake, 100));
  }

  return {
    url,
    wsUrl: `ws://127.0.0.1:${options.port}/graphql`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
