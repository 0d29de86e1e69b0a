// Usage: node run.mjs BASE_URL [SCENARIO ...]
// Runs the named scenarios (all, in file order, when none are named) with the real
// @supabase/postgrest-js client against BASE_URL and prints one JSON object a line:
// {"name", "data", "error", "count", "status", "statusText"}, exactly what the client
// hands its users (errors included: it resolves, it does not throw, by default).
import { PostgrestClient } from '@supabase/postgrest-js'
import { scenarios } from './scenarios.mjs'

const [baseUrl, ...names] = process.argv.slice(2)
if (!baseUrl) {
  console.error('usage: node run.mjs BASE_URL [SCENARIO ...]')
  process.exit(2)
}
const unknown = names.filter((n) => !(n in scenarios))
if (unknown.length) {
  console.error(`unknown scenarios: ${unknown.join(', ')}`)
  process.exit(2)
}

// No retries: a transient 503/520 must show up as a failure, not be papered over.
const client = new PostgrestClient(baseUrl, { retry: false })
for (const name of names.length ? names : Object.keys(scenarios)) {
  let line
  try {
    const { data, error, count, status, statusText } = await scenarios[name](client)
    // the error is a plain object parsed from the body, or the client's own (PGRST116)
    line = { name, data, error: error && { ...error }, count, status, statusText }
  } catch (e) {
    line = { name, thrown: String(e && e.stack ? e.stack : e) }
  }
  process.stdout.write(JSON.stringify(line) + '\n')
}
