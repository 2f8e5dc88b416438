// WebSocket vs SSE vs multipart HTTP against the same server in one run: memory per idle
// subscriber (the server's RSS growth while each transport's subscribers are held) and
// deliveries/s (a burst of likes to each transport's subscribers in turn).
//
//   node bench/transports.mjs --serve --subs 1000 --events 200      # starts its own `tidings serve`
//   taskset -c 1 node bench/transports.mjs --serve --server-cpu 0    # server and tool on a core each
//   node bench/transports.mjs --url http://127.0.0.1:8000 --secret S --pid SERVER_PID --subs 1000
//
// Each subscriber is its own user and its own connection: a WebSocket (graphql-transport-ws), or
// one HTTP response (GraphQL over SSE, or Apollo's multipart protocol), on `engagement` of a tweet
// of its transport's own. First `--warmup` subscribers of each transport are opened and kept (the
// server's first-time allocations), then `--subs` of each, one transport after the other, all held
// until the end, the RSS read (/proc/PID/statm) before and after each group. Then, per transport,
// `--events` likes in a burst on its tweet: deliveries/s from the first like to the last delivery,
// latency percentiles, and how many subscribers ended on the latest count (latest-only may skip).
// One JSON line per transport on stdout; a table on stderr.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]?.startsWith("--") || all[i + 1] === undefined ? "1" : all[i + 1]]] : acc), []),
);
const subs = Number(args.subs ?? 1000);
const warmup = Number(args.warmup ?? 100);
const events = Number(args.events ?? 200);
const concurrency = Number(args.concurrency ?? 100);
const timeoutS = Number(args.timeout ?? 120);
const transports = (args.transports ?? "websocket,sse,multipart").split(",");
const runId = crypto.randomBytes(4).toString("hex");
let url = args.url ?? "http://127.0.0.1:8000";
let secret = args.secret ?? process.env.TIDINGS_SECRET;
let pid = args.pid ? Number(args.pid) : null;
let server = null;

function die(message) { console.error(`transports: ${message}`); server?.kill("SIGTERM"); process.exit(2); }
const progress = (text) => process.stderr.write(`\r\x1b[2K[transports ${runId}] ${text}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const b64 = (x) => Buffer.from(x).toString("base64url");
function token(sub) {
  const head = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64(JSON.stringify({ sub, name: sub, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 86400 }));
  return `${head}.${body}.${crypto.createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url")}`;
}
async function gql(query, variables, sub) {
  const res = await fetch(url + "/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token(sub)}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 300));
  return body.data;
}
function rssKb() {
  const pages = Number(fs.readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]);
  return (pages * 4096) / 1024;
}

async function serve() {
  // `tidings serve` on a free port, SQLite in a temporary directory, no limits in the way.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidings-transports-"));
  const port = await new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
  });
  secret = crypto.randomBytes(24).toString("hex");
  url = `http://127.0.0.1:${port}`;
  const bin = process.env.TIDINGS_BIN ?? path.join(path.dirname(new URL(import.meta.url).pathname), "..", ".venv", "bin", "tidings");
  // --server-cpu N pins the server to that core (taskset execs it: same pid), as
  // docs/performance.md's runs do with the tool on another core.
  const command = args["server-cpu"] ? ["taskset", ["-c", args["server-cpu"], bin, "serve"]] : [bin, ["serve"]];
  server = spawn(command[0], command[1], {
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env, TIDINGS_PORT: String(port), TIDINGS_SECRET: secret, TIDINGS_LOG_LEVEL: "warning",
      TIDINGS_DATABASE_URL: `sqlite+aiosqlite:///${dir}/tidings.db`, TIDINGS_BROKER_URL: "memory://",
      TIDINGS_MUTATION_RATE: "0", TIDINGS_MAX_CONNECTIONS_PER_USER: "0", TIDINGS_STATIC_DIR: path.join(dir, "none"),
    },
  });
  pid = server.pid;
  for (let i = 0; i < 600 && server.exitCode === null; i++) {
    try { if ((await fetch(url + "/readyz")).ok) return; } catch {}
    await sleep(100);
  }
  die("tidings serve did not start");
}

// --- one subscriber on each transport ---------------------------------------------------------
const DOC = "subscription($t: ID!) { engagement(tweetId: $t) { tweetId likes } }";

function openWs(user, tweetId, onData) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, "ws") + "/graphql", "graphql-transport-ws", { perMessageDeflate: false });
    let first = true;
    ws.on("open", () => ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token(user)}` } })));
    ws.on("message", (raw) => {
      const m = JSON.parse(raw);
      if (m.type === "connection_ack") ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: DOC, variables: { t: tweetId } } }));
      else if (m.type === "next") {
        if (first) { first = false; resolve({ close: () => ws.terminate() }); } else onData(m.payload.data);
      } else if (m.type === "ping") ws.send(JSON.stringify({ type: "pong" }));
      else if (m.type === "error") reject(new Error(JSON.stringify(m.payload)));
    });
    ws.on("error", reject);
  });
}

function openStream(kind, user, tweetId, onData) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query: DOC, variables: { t: tweetId } });
    const accept = kind === "sse" ? "text/event-stream" : 'multipart/mixed;subscriptionSpec="1.0"';
    const separator = kind === "sse" ? "\n\n" : "\r\n--graphql";
    let first = true;
    const req = http.request(url + "/graphql", {
      method: "POST",
      agent: false, // one connection per stream, as browsers and Apollo hold them
      headers: { "content-type": "application/json", accept, authorization: `Bearer ${token(user)}`, "content-length": Buffer.byteLength(body) },
    }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`${kind}: status ${res.statusCode}`)); res.resume(); return; }
      res.setEncoding("utf8");
      let buffer = "";
      res.on("data", (chunk) => {
        buffer += chunk;
        let at;
        while ((at = buffer.indexOf(separator)) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + separator.length);
          let data = null;
          if (kind === "sse") {
            const line = block.split("\n").find((l) => l.startsWith("data: "));
            if (block.startsWith("event: next") && line) data = JSON.parse(line.slice(6)).data;
          } else {
            const start = block.indexOf("\r\n\r\n");
            if (start >= 0) data = JSON.parse(block.slice(start + 4)).payload?.data ?? null;
          }
          if (data === null) continue;
          if (first) { first = false; resolve({ close: () => req.destroy() }); } else onData(data);
        }
      });
    });
    req.on("error", (err) => { if (first) reject(err); });
    req.end(body);
  });
}

const open = (transport, user, tweetId, onData) =>
  transport === "websocket" ? openWs(user, tweetId, onData) : openStream(transport, user, tweetId, onData);

// --- a group: N subscribers of one transport on a tweet of its own --------------------------------
async function group(transport, n, label) {
  const author = `t-${runId}-${transport}-${label}-author`;
  const tweetId = (await gql("mutation($c: String!) { postTweet(content: $c) { id } }", { c: `${transport} ${label}` }, author)).postTweet.id;
  const state = { transport, tweetId, conns: [], seen: Array.from({ length: n }, () => new Map()), latencies: [], deliveries: 0, sent: new Map() };
  for (let next = 0; next < n; ) {
    const batch = [];
    for (let k = 0; k < concurrency && next < n; k++, next++) {
      const i = next;
      batch.push(open(transport, `t-${runId}-${transport}-${label}-u${i}`, tweetId, (data) => {
        const likes = data.engagement.likes;
        if (state.seen[i].has(likes)) return;
        state.seen[i].set(likes, true);
        state.deliveries++;
        const t0 = state.sent.get(likes);
        if (t0 !== undefined) state.latencies.push(performance.now() - t0);
        state.last = performance.now();
      }));
    }
    state.conns.push(...(await Promise.all(batch)));
    progress(`${transport} ${label}: ${state.conns.length}/${n} subscribed`);
  }
  return state;
}

async function burst(state) {
  const e0 = performance.now();
  await Promise.all(Array.from({ length: events }, (_, e) => {
    state.sent.set(e + 1, performance.now());
    return gql(`mutation { likeTweet(tweetId: "${state.tweetId}") { likes } }`, {}, `t-${runId}-${state.transport}-liker${e}`);
  }));
  const deadline = performance.now() + timeoutS * 1000;
  const endedOnLatest = () => state.seen.filter((m) => m.has(events)).length;
  while (endedOnLatest() < state.conns.length && performance.now() < deadline) {
    await sleep(20);
    progress(`${state.transport}: ${state.deliveries} deliveries, ${endedOnLatest()}/${state.conns.length} on the latest`);
  }
  const spanS = ((state.last ?? performance.now()) - e0) / 1000;
  const sorted = state.latencies.sort((a, b) => a - b);
  const pct = (p) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10 : null);
  return { deliveries: state.deliveries, deliveries_per_s: Math.round(state.deliveries / spanS), ended_on_latest: endedOnLatest(), p50_ms: pct(50), p99_ms: pct(99) };
}

async function main() {
  if (args.serve) await serve();
  if (!secret) die("--secret (or TIDINGS_SECRET) is needed to mint tokens, or --serve");
  if (!pid) die("--pid SERVER_PID is needed to read the server's RSS, or --serve");
  for (const transport of transports) await group(transport, warmup, "warmup");
  await sleep(1000);
  const groups = {};
  const memory = {};
  for (const transport of transports) {
    const before = rssKb();
    groups[transport] = await group(transport, subs, "measured");
    await sleep(1000);
    memory[transport] = Math.round(((rssKb() - before) / subs) * 10) / 10;
  }
  const results = [];
  for (const transport of transports) {
    const result = { transport, subs, events, kb_per_idle_subscriber: memory[transport], ...(await burst(groups[transport])) };
    results.push(result);
  }
  progress("done\n");
  console.error("transport   kB/idle sub   deliveries/s   p50 ms   p99 ms   ended on latest");
  for (const r of results) {
    console.error(`${r.transport.padEnd(11)} ${String(r.kb_per_idle_subscriber).padStart(11)}   ${String(r.deliveries_per_s).padStart(12)}   ${String(r.p50_ms).padStart(6)}   ${String(r.p99_ms).padStart(6)}   ${r.ended_on_latest}/${subs}`);
    console.log(JSON.stringify(r));
  }
  for (const transport of transports) for (const c of groups[transport].conns) c.close();
  server?.kill("SIGTERM");
  process.exit(0);
}
main().catch((err) => die(err.stack ?? String(err)));
