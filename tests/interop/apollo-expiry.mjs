// node apollo-expiry.mjs URL TOKEN: an Apollo Client HttpLink subscription whose token expires
// while it runs. Prints each result, then what ends it: {"error": message} from the transport
// error Tidings sends at expiry, or {"complete": true}.
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";

const [url, token] = process.argv.slice(2);
const client = new ApolloClient({
  cache: new InMemoryCache(),
  link: new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` } }),
});
const timer = setTimeout(() => { console.log(JSON.stringify({ error: "timeout" })); process.exit(1); }, 15000);
const done = (line) => { clearTimeout(timer); console.log(JSON.stringify(line)); process.exit(0); };
client.subscribe({ query: gql`subscription { trending { windowSeconds } }` }).subscribe({
  next: (result) => {
    if (result.error) done({ error: result.error.message, data: result.data ?? null });
    else console.log(JSON.stringify({ data: result.data }));
  },
  error: (err) => done({ error: err.message }),
  complete: () => done({ complete: true }),
});
