// node audit.mjs URL: graphql-http's server audit (the GraphQL over HTTP specification's
// reference implementation) against a running server. Prints one JSON line per audit,
// {"id", "name", "status", "reason"}, and exits 1 unless every audit passes.
import { auditServer } from "graphql-http";

const [url] = process.argv.slice(2);
const results = await auditServer({ url });
let failed = 0;
for (const result of results) {
  const reason = result.status === "ok" ? undefined : result.reason;
  if (result.status !== "ok") failed++;
  console.log(JSON.stringify({ id: result.id, name: result.name, status: result.status, reason }));
}
process.exit(failed ? 1 : 0);
