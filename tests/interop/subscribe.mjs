// node subscribe.mjs URL TOKEN QUERY COUNT: subscribes with the npm graphql-ws client
// (connectionParams carry the token), prints "ready" once acknowledged, then each result as
// one JSON line, and exits after COUNT results (or prints {"error": ...} and exits 1).
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, token, query, count] = process.argv.slice(2);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${token}` },
  retryAttempts: 0,
  on: { connected: () => console.log("ready") },
});
let seen = 0;
const timer = setTimeout(() => { console.log(JSON.stringify({ error: "timeout" })); process.exit(1); }, 15000);
client.subscribe(
  { query },
  {
    next: (result) => {
      console.log(JSON.stringify(result));
      if (++seen >= Number(count)) { clearTimeout(timer); client.dispose(); process.exit(0); }
    },
    error: (err) => { console.log(JSON.stringify({ error: String(err?.reason ?? err?.message ?? err) })); process.exit(1); },
    complete: () => {},
  },
);
