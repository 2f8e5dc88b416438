// @vitest-environment jsdom
import { cleanup, renderHook, waitFor } from "@testing-library/react";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReactNode } from "react";
import { afterAll, beforeAll, expect, test } from "vitest";

import { TidingsProvider, useNotifications } from "../src/lib";
import {
  controllableSocket,
  postTweet,
  quietFor,
  recordStatuses,
  testClient,
  unreadCount,
} from "./helpers";
import { freePort, startServer, type RunningServer } from "./server";

// A server of its own: this file stops and restarts it (same port, database and secret).
const dir = mkdtempSync(join(tmpdir(), "tidings-restart-"));
const secret = "restart-secret";
let port = 0;
let server: RunningServer;

function start(): Promise<RunningServer> {
  return startServer({ port, databasePath: join(dir, "tidings.db"), secret });
}

beforeAll(async () => {
  port = await freePort();
  server = await start();
});

afterAll(async () => {
  cleanup();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("across a server restart the notifications stream resumes and loses nothing", async () => {
  const sockets = controllableSocket(await freePort());
  const client = testClient(server.url, "alice", { webSocketImpl: sockets.impl });
  const statuses = recordStatuses(client);
  const wrapper = ({ children }: { children: ReactNode }) => (
    <TidingsProvider client={client}>{children}</TidingsProvider>
  );
  const { result } = renderHook(() => useNotifications({ first: 50 }), { wrapper });
  await waitFor(() => expect(client.status.getSnapshot()).toBe("live"), { timeout: 5000 });
  await waitFor(() => expect(result.current.loading).toBe(false), { timeout: 5000 });
  const before = await postTweet(server.url, "bob", "before the restart @alice");
  await waitFor(() => expect(result.current.notifications[0]?.tweet?.id).toBe(before), {
    timeout: 2000,
  });

  // Hold the client off until the mutations below are done, so that they are surely
  // missed live and must come from the replay.
  sockets.blocked = true;
  await server.stop();
  await waitFor(() => expect(client.status.getSnapshot()).toBe("reconnecting"), { timeout: 3000 });
  server = await start();
  const missed = [
    await postTweet(server.url, "carol", "after the restart 1 @alice"),
    await postTweet(server.url, "dave", "after the restart 2 @alice"),
  ];
  sockets.blocked = false;

  await waitFor(() => expect(client.status.getSnapshot()).toBe("live"), { timeout: 5000 });
  await waitFor(
    () =>
      expect(result.current.notifications.slice(0, 3).map((n) => n.tweet?.id)).toEqual([
        missed[1],
        missed[0],
        before,
      ]),
    { timeout: 3000 },
  );
  await quietFor(500);
  const ids = result.current.notifications.map((n) => n.id);
  expect(ids.length).toBe(new Set(ids).size);
  expect(result.current.unreadCount).toBe(await unreadCount(server.url, "alice"));
  expect(statuses[0]).toBe("connecting");
  expect(statuses[1]).toBe("live");
  expect(statuses.at(-1)).toBe("live");
  expect(statuses).toContain("reconnecting");
  client.dispose();
});
