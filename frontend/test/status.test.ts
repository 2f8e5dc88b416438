// @vitest-environment jsdom
import { afterEach, expect, inject, test } from "vitest";

import type { TidingsClient } from "../src/lib";
import { recordStatuses, testClient, until } from "./helpers";

const url = inject("tidingsUrl");
let client: TidingsClient | undefined;

afterEach(() => client?.dispose());

test("the browser's offline and online events show at once, and live returns with the socket", async () => {
  client = testClient(url, "erin");
  const statuses = recordStatuses(client);
  await until(() => expect(client?.status.getSnapshot()).toBe("live"), 5000, "live");
  window.dispatchEvent(new Event("offline"));
  expect(client.status.getSnapshot()).toBe("offline");
  window.dispatchEvent(new Event("online"));
  expect(client.status.getSnapshot()).toBe("live");
  expect(statuses).toEqual(["connecting", "live", "offline", "live"]);
});
