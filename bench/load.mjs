// Tidings load tool: N subscribers on one stream, then events at a rate (or a burst), and what
// arrived: deliveries/s, latency percentiles, missing and duplicated deliveries.
//
//   node bench/load.mjs --url http://127.0.0.1:8000 --secret S --stream engagement --subs 1000 --events 200
//   node bench/load.mjs ... --stream notifications --subs 500 --events 2 --rate 50   # distinct payload per subscriber
//   node bench/load.mjs ... --stream mixed        # three selection sets on one engagement channel
//   node bench/load.mjs ... --stream trending --events 5
//   node bench/load.mjs ... --stream feed --followers 10000 --events 100   # one author's burst to every follower
//   node bench/load.mjs ... --stream write --events 2000 [--pid SERVER_PID]  # the write path: likes of fresh users
//   node bench/load.mjs ... --stream engagement --viewer-field   # also select likedByViewer: executed per viewer
//
// The JSON line carries `executions` (and `executions_per_event`): how many times the server
// executed a subscription result during the events (tidings_executions_total on /metrics; with
// a shared payload, one per event however many subscribers).
//
// Every subscriber is its own WebSocket (graphql-transport-ws) and its own user, so that likes
// and notifications are real. Events are HTTP mutations signed with --secret (a service may
// mint its own tokens the same way). Progress goes to stderr; the result is one JSON line on
// stdout (and a table on stderr).
import crypto from "node:crypto";
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]?.startsWith("--") || all[i + 1] === undefined ? "1" : all[i + 1]]] : acc), []),
);
const url = args.url ?? "http://127.0.0.1:8000";
const wsUrl = url.replace(/^http/, "ws") + "/graphql";
const secret = args.secret ?? process.env.TIDINGS_SECRET;
const stream = args.stream ?? "engagement";
const subs = Number(args.followers ?? args.subs ?? 1000);
const events = Number(args.events ?? 100);
const rate = Number(args.rate ?? 0); // events per second; 0 = one burst
const concurrency = Number(args.concurrency ?? 200);
const timeoutS = Number(args.timeout ?? 60);
const viewerField = args["viewer-field"] === "1";
const runId = crypto.randomBytes(4).toString("hex");
if (!secret) die("--secret (or TIDINGS_SECRET) is needed to mint tokens");
if (!["engagement", "notifications", "mixed", "trending", "feed", "write"].includes(stream)) die(`unknown --stream ${stream}`);

function die(message) { console.error(`load: ${message}`); process.exit(2); }
function b64(x) { return Buffer.from(x).toString("base64url"); }
function token(sub) {
  const head = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64(JSON.stringify({ sub, name: sub, iat: Math.floor(Date.now() / 1000) }));
  const sig = crypto.createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
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
async function executions() {
  const res = await fetch(url + "/metrics");
  if (!res.ok) return null;
  const line = (await res.text()).split("\n").find((l) => l.startsWith("tidings_executions_total "));
  return line ? Number(line.split(" ")[1]) : null;
}
const progress = (text) => process.stderr.write(`\r\x1b[2K[load ${runId}] ${text}`);

// --- what to subscribe to, and what each event should deliver -------------------------------
const author = `load-${runId}-author`;
let tweetId = null;
const userOf = (i) => `load-${runId}-u${i}`;
const userTweets = []; // notifications: each subscriber's own tweet
const selections = ["tweetId likes", "likes replies retweets", "tweetId likes updatedAt"];
function document(i) {
  if (stream === "engagement") {
    return `subscription { engagement(tweetId: "${tweetId}") { tweetId likes${viewerField ? " likedByViewer" : ""} } }`;
  }
  if (stream === "mixed") return `subscription { engagement(tweetId: "${tweetId}") { ${selections[i % 3]} } }`;
  if (stream === "trending") return "subscription { trending { computedAt topics { topic tweetCount rank } } }";
  if (stream === "feed") return "subscription { feed { id content author { id } } }";
  return "subscription { notifications { kind cursor notification { actor { id } tweet { id } } } }";
}

const sent = new Map(); // event key -> send time (ms)
const got = []; // per subscriber: Map(eventKey -> count)
const latencies = [];
let deliveries = 0, duplicates = 0, foreign = 0, ready = 0, closedEarly = 0;

function record(i, key) {
  const seen = got[i];
  const n = (seen.get(key) ?? 0) + 1;
  seen.set(key, n);
  if (n > 1) { duplicates++; return; }
  const t0 = sent.get(key);
  if (t0 === undefined) { foreign++; return; }
  deliveries++;
  latencies.push(performance.now() - t0);
}

function keyOf(i, data) {
  if (stream === "notifications") {
    const n = data.notifications;
    return n.kind === "CREATED" ? `like:${n.notification.actor.id}` : null;
  }
  if (stream === "feed") return `tweet:${data.feed.content}`;
  if (stream === "trending") return `trend:${data.trending.topics.find((t) => t.topic === `load${runId}`)?.tweetCount ?? 0}`;
  return `likes:${data.engagement.likes}`;
}

function connect(i) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, "graphql-transport-ws", { perMessageDeflate: false });
    let first = true;
    got[i] = new Map();
    ws.on("open", () => ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token(userOf(i))}` } })));
    ws.on("message", (raw) => {
      const m = JSON.parse(raw);
      if (m.type === "connection_ack") ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: document(i) } }));
      else if (m.type === "next") {
        if (m.payload.errors) return reject(new Error(JSON.stringify(m.payload.errors)));
        // engagement and trending start with the current state: that is readiness, not a delivery
        if (first && stream !== "notifications" && stream !== "feed") { first = false; ready++; resolve(ws); return; }
        const key = keyOf(i, m.payload.data);
        if (key) record(i, key);
      } else if (m.type === "error") reject(new Error(JSON.stringify(m.payload)));
      else if (m.type === "ping") ws.send(JSON.stringify({ type: "pong" }));
    });
    ws.on("error", reject);
    ws.on("close", (code) => { if (first) reject(new Error(`closed ${code} before ready`)); else closedEarly++; });
    if (stream === "notifications" || stream === "feed") {
      // no initial state on these streams: resolved once sent; main() then waits until the
      // server holds every subscription live (stats.liveSubscriptions)
      ws.on("open", () => { if (first) { first = false; ready++; resolve(ws); } });
    }
  });
}

// --- write path: likes of fresh users, all queued at once (at most --concurrency in flight) --
function cpuSeconds(pid) {
  if (!pid) return null;
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
}
async function writePath() {
  const author = `load-${runId}-author`;
  const id = (await gql('mutation($c: String!) { postTweet(content: $c) { id } }', { c: `write ${runId}` }, author)).postTweet.id;
  const query = `mutation { likeTweet(tweetId: "${id}") { likes } }`;
  const pid = args.pid ? Number(args.pid) : null;
  const rtts = [];
  let next = 0, failed = 0;
  const cpu0 = cpuSeconds(pid), t0 = performance.now();
  const worker = async () => {
    while (next < events) {
      const e = next++;
      const s = performance.now();
      try { await gql(query, {}, `load-${runId}-w${e}`); rtts.push(performance.now() - s); } catch { failed++; }
      if (e % 100 === 0) progress(`likes ${e}/${events}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, events) }, worker));
  const spanS = (performance.now() - t0) / 1000, cpu1 = cpuSeconds(pid);
  const likes = (await gql(`{ tweet(id: "${id}") { metrics { likes } } }`, {}, author)).tweet.metrics.likes;
  rtts.sort((a, b) => a - b);
  const pct = (p) => Math.round(rtts[Math.min(rtts.length - 1, Math.floor((p / 100) * rtts.length))] * 10) / 10;
  const result = {
    stream, events, concurrency, answered: rtts.length, failed, stored_likes: likes,
    likes_per_s: Math.round(rtts.length / spanS), post_p50_ms: pct(50), post_p99_ms: pct(99),
    server_cpu_ms_per_like: cpu0 === null ? null : Math.round(((cpu1 - cpu0) * 1000 / events) * 100) / 100,
  };
  progress("done\n");
  console.error(`write path: ${rtts.length}/${events} likes answered (${failed} failed, ${likes} stored), ${result.likes_per_s}/s, ` +
    `POST p50 ${result.post_p50_ms} ms, p99 ${result.post_p99_ms} ms` + (pid ? `, server CPU ${result.server_cpu_ms_per_like} ms per like` : ""));
  console.log(JSON.stringify(result));
  process.exit(0);
}

async function main() {
  if (stream === "write") return writePath();
  const t0 = performance.now();
  await gql("{ viewer { id } }", {}, author);
  const liveBefore = (await gql("{ stats { liveSubscriptions } }", {}, author)).stats.liveSubscriptions;
  if (stream === "engagement" || stream === "mixed") {
    tweetId = (await gql('mutation($c: String!) { postTweet(content: $c) { id } }', { c: `load ${runId}` }, author)).postTweet.id;
  }
  if (stream === "feed") {
    // every subscriber follows the author, whose posts are the events: one execution per tweet
    // for all of them (the selection has no viewer field), routed to each in memory
    for (let next = 0; next < subs; ) {
      const batch = [];
      for (let k = 0; k < concurrency && next < subs; k++, next++) batch.push(gql(`mutation { follow(userId: "${author}") }`, {}, userOf(next)));
      await Promise.all(batch);
      progress(`followers ${next}/${subs}`);
    }
  }
  const sockets = [];
  for (let next = 0; next < subs; ) {
    const batch = [];
    for (let k = 0; k < concurrency && next < subs; k++, next++) batch.push(connect(next));
    sockets.push(...(await Promise.all(batch)));
    progress(`connected ${sockets.length}/${subs}`);
  }
  if (stream === "notifications" || stream === "feed") {
    // An event before the server holds a subscription would be missed by design (a stream
    // starts at subscribe time), so wait until this server counts all of ours as live.
    const liveDeadline = performance.now() + timeoutS * 1000;
    for (;;) {
      const live = (await gql("{ stats { liveSubscriptions } }", {}, author)).stats.liveSubscriptions;
      progress(`live subscriptions ${live} (want ${liveBefore + subs})`);
      if (live >= liveBefore + subs) break;
      if (performance.now() > liveDeadline) die(`only ${live - liveBefore}/${subs} subscriptions went live`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const connectS = (performance.now() - t0) / 1000;
  if (stream === "notifications") {
    for (let i = 0; i < subs; i++) {
      userTweets[i] = (await gql('mutation($c: String!) { postTweet(content: $c) { id } }', { c: `mine ${i}` }, userOf(i))).postTweet.id;
      if (i % 100 === 0) progress(`tweets for notifications ${i}/${subs}`);
    }
  }
  // --- events ---------------------------------------------------------------------------------
  const executionsBefore = await executions();
  const expected = [];
  const fire = async (e) => {
    if (stream === "notifications") {
      // one like per subscriber's tweet: every subscriber gets its own, distinct notification
      const liker = `load-${runId}-liker${e}`;
      const key = `like:${liker}`;
      sent.set(key, performance.now());
      expected.push(key);
      await Promise.all(userTweets.map((t) => gql(`mutation { likeTweet(tweetId: "${t}") { likes } }`, {}, liker)));
    } else if (stream === "feed") {
      const content = `feed ${runId} ${e}`;
      sent.set(`tweet:${content}`, performance.now());
      expected.push(`tweet:${content}`);
      await gql('mutation($c: String!) { postTweet(content: $c) { id } }', { c: content }, author);
    } else if (stream === "trending") {
      // the ranking is recomputed every TIDINGS_TRENDING_INTERVAL: latency includes that wait
      const key = `trend:${e + 1}`;
      sent.set(key, performance.now());
      expected.push(key);
      await gql('mutation($c: String!) { postTweet(content: $c) { id } }', { c: `#load${runId} event ${e}` }, `load-${runId}-poster${e}`);
    } else {
      const key = `likes:${e + 1}`;
      sent.set(key, performance.now());
      expected.push(key);
      await gql(`mutation { likeTweet(tweetId: "${tweetId}") { likes } }`, {}, `load-${runId}-liker${e}`);
    }
  };
  const e0 = performance.now();
  if (rate > 0) {
    const fired = [];
    for (let e = 0; e < events; e++) {
      const due = e0 + (e * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      fired.push(fire(e).catch((err) => die(err.message)));
      progress(`events ${e + 1}/${events}, deliveries ${deliveries}`);
    }
    await Promise.all(fired); // every mutation answered before the wait for deliveries starts
  } else {
    const inflight = [];
    for (let e = 0; e < events; e++) inflight.push(fire(e));
    await Promise.all(inflight);
  }
  // --- wait for deliveries --------------------------------------------------------------------
  const want = expected.length * subs;
  const deadline = performance.now() + timeoutS * 1000;
  while (deliveries < want && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    progress(`deliveries ${deliveries}/${want}`);
  }
  const spanS = (performance.now() - e0) / 1000;
  const executionsAfter = await executions();
  const executed = executionsBefore === null || executionsAfter === null ? null : executionsAfter - executionsBefore;
  latencies.sort((a, b) => a - b);
  const pct = (p) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] * 10) / 10 : null);
  // engagement may coalesce under a burst (latest wins): count who ended on the latest count
  let endedOnLatest = 0;
  const latestKey = expected[expected.length - 1];
  for (let i = 0; i < subs; i++) if (latestKey && got[i].has(latestKey)) endedOnLatest++;
  const missing = want - deliveries;
  const result = {
    stream, subs, events, rate, ready, connect_s: Math.round(connectS * 100) / 100,
    deliveries, expected: want, missing, duplicates, foreign, ended_on_latest: endedOnLatest,
    deliveries_per_s: Math.round(deliveries / spanS), p50_ms: pct(50), p90_ms: pct(90), p99_ms: pct(99), max_ms: pct(100),
    closed_early: closedEarly, viewer_field: viewerField,
    executions: executed, executions_per_event: executed === null ? null : Math.round((executed / events) * 10) / 10,
  };
  progress("done\n");
  console.error(`stream ${stream}: ${subs} subscribers ready in ${result.connect_s}s; ${deliveries}/${want} delivered ` +
    `(${result.missing} missing, ${duplicates} duplicated), ${result.deliveries_per_s}/s, p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, ` +
    `${result.executions_per_event} executions/event`);
  console.log(JSON.stringify(result));
  for (const ws of sockets) ws.terminate();
  process.exit(0);
}
main().catch((err) => die(err.stack ?? String(err)));
