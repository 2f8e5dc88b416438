// node sse.mjs URL TOKEN QUERY COUNT: runs QUERY with the npm graphql-sse client (distinct
// connections mode; the token in the Authorization header), prints each result as one JSON line
// and exits after COUNT results, or at `complete` (prints {"complete": true}), or prints
// {"error": ...} and exits 1.
import { createClient } from "graphql-sse";

const [url, token, query, count] = process.argv.slice(2);
const client = createClient({
  url,
  headers: { authorization: `Bearer ${token}` },
  retryAttempts: 0,
});
let seen = 0;
const timer = setTimeout(() => { console.log(JSON.stringify({ error: "timeout" })); process.exit(1); }, 15000);
const finish = (code) => { clearTimeout(timer); client.dispose(); process.exit(code); };
client.subscribe(
  { query },
  {
    next: (result) => {
      console.log(JSON.stringify(result));
      if (++seen >= Number(count)) finish(0);
    },
    error: (err) => { console.log(JSON.stringify({ error: String(err?.message ?? err) })); finish(1); },
    complete: () => { console.log(JSON.stringify({ complete: true })); finish(0); },
  },
);
