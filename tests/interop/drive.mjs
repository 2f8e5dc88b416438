// node drive.mjs MODULE TWEET_ID: drives a client that docs/clients.md defines (MODULE exports
// `client`, or `follow` for the resume snippet) the way an app would, printing one JSON line per
// step, as tests/integration/test_clients.py reads them:
//   {"query": data}      `{ viewer { id } }` over the client's query path (twice for APQ)
//   {"next": data}       each result of a subscription to the tweet's engagement; after the
//                        second one (the test likes the tweet after the first), {"done": true}
// The resume snippet instead prints {"event": ...} per notification, and stops following when
// the test writes "drop" on stdin, and follows again from its last cursor on "resume".
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { gql } from "@apollo/client";

const [modulePath, tweetId] = process.argv.slice(2);
const name = modulePath.split("/").pop();
const mod = await import(pathToFileURL(modulePath).href);
const out = (line) => console.log(JSON.stringify(line));
const fail = (err) => { out({ error: String(err?.message ?? JSON.stringify(err)) }); process.exit(1); };
setTimeout(() => fail("timeout"), 20000);

const VIEWER = "query Viewer { viewer { id } }";
const ENGAGEMENT = "subscription Engagement($t: ID!) { engagement(tweetId: $t) { tweetId likes } }";
let seen = 0;
const onNext = (data, stop) => {
  out({ next: data });
  if (++seen === 2) { stop(); out({ done: true }); process.exit(0); }
};

if (name === "urql-resume.mjs") {
  const lines = createInterface({ input: process.stdin });
  let following = mod.follow((event) => out({ event }));
  out({ following: true });
  for await (const line of lines) {
    if (line === "drop") { following.unsubscribe(); out({ dropped: true }); }
    if (line === "resume") { following = mod.follow((event) => out({ event })); out({ following: true }); }
    if (line === "exit") process.exit(0);
  }
} else if (name.startsWith("apollo-")) {
  const { client } = mod;
  const times = name === "apollo-apq.mjs" ? 2 : 1;
  for (let i = 0; i < times; i++) {
    const { data } = await client.query({ query: gql(VIEWER), fetchPolicy: "network-only" });
    out({ query: data });
  }
  const sub = client.subscribe({ query: gql(ENGAGEMENT), variables: { t: tweetId } }).subscribe({
    next: (result) => (result.error ? fail(result.error) : onNext(result.data, () => sub.unsubscribe())),
    error: fail,
  });
} else if (name === "urql-ws.mjs") {
  const { client } = mod;
  const result = await client.query(VIEWER, {}).toPromise();
  if (result.error) fail(result.error);
  out({ query: result.data });
  const sub = client.subscription(ENGAGEMENT, { t: tweetId }).subscribe((result) =>
    result.error ? fail(result.error) : onNext(result.data, () => sub.unsubscribe()),
  );
} else if (name === "graphql-sse.mjs") {
  const { client } = mod;
  for await (const result of client.iterate({ query: VIEWER })) out({ query: result.data });
  const stop = client.subscribe(
    { query: ENGAGEMENT, variables: { t: tweetId } },
    { next: (result) => onNext(result.data, () => stop()), error: fail, complete: () => {} },
  );
} else {
  fail(`no driver for ${name}`);
}
