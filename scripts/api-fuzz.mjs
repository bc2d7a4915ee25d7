// Checks openapi.json against the running worker both ways with Schemathesis
// (installed by `scripts/setup.sh --test` into target/schemathesis-venv): the
// real worker in workerd with an in-memory D1, the demo site and its contact
// channel seeded through the operator API, and a token for every security
// scheme. Fails on any 5xx, any status an operation does not document, any
// answer that does not match its schema, any request the document forbids
// that the server accepts, and any it allows that the server refuses as
// malformed or invalid (400/422). Bounded: a fixed number of generated cases
// per operation and a fixed seed, well under three minutes on two cores.
//
// Usage: node scripts/api-fuzz.mjs [--max-examples N] [--seed N] [extra `st run` options…]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './artifacts.mjs';
import { startRuntime, seedDemo, seedContactChannel } from './runtime.mjs';

const st = join(root, 'target', 'schemathesis-venv', 'bin', 'st');
if (!existsSync(st)) {
  console.error(`Schemathesis is not installed at ${st}: run scripts/setup.sh --test`);
  process.exit(2);
}
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const [, value] = args.splice(at, 2);
  return value;
};
const maxExamples = option('--max-examples', '20');
const seed = option('--seed', '14');

const ADMIN_TOKEN = 'api-fuzz-admin-token-0123456789';
// Visitors' requests come from browsers: a script's own user agent would be
// refused as an automated client before anything else is checked.
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const runtime = await startRuntime({ port: 0, adminToken: ADMIN_TOKEN });
let code = 1;
try {
  await seedDemo(runtime.d1, runtime.url);
  const channel = await seedContactChannel(runtime.url, ADMIN_TOKEN);
  // A site admin: staff operations and the site-scoped operator ones both work with it.
  const staff = await channel.createStaff('Fuzz Admin', ['support', 'billing', 'sales', 'product'], 'admin');
  // The account the staff-account operations change, revoke and re-issue: the
  // fuzzer reuses ids it has seen, and revoking its own admin would leave
  // every staff operation after it 401.
  const target = await channel.createStaff('Fuzz Target', ['sales']);
  const intake = await channel.call('POST', '/v1/admin/sites/demo/intake-key');
  const started = await fetch(`${runtime.url}/v1/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: runtime.url, 'user-agent': BROWSER, 'cf-connecting-ip': '192.0.2.1' },
    body: JSON.stringify({ site: 'demo', message: { text: 'Where is my parcel? It was due on Monday.' } }),
  }).then((r) => r.json());
  const conversation = started.conversation.id;

  const dir = join(root, 'target', 'api-fuzz');
  mkdirSync(dir, { recursive: true });
  const toml = (value) => JSON.stringify(value);
  const config = `# Written by scripts/api-fuzz.mjs for one run against ${runtime.url}.
base-url = ${toml(runtime.url)}
hooks = "api_fuzz_hooks"
# Each run starts afresh (a new database, new tokens): nothing to keep.
cache = { enabled = false }
seed = ${seed}
workers = 1
# The worker's answers to the page's origin are what the site allows, for a
# browser's user agent.
headers = { Origin = ${toml(runtime.url)}, User-Agent = ${toml(BROWSER)} }

[generation]
max-examples = ${maxExamples}
database = "none"
# A NUL byte in a header or URL never reaches the worker (the HTTP client refuses it).
allow-x00 = false

[phases]
stateful.enabled = false

[checks]
not_a_server_error.enabled = true
status_code_conformance.enabled = true
content_type_conformance.enabled = true
response_headers_conformance.enabled = true
response_schema_conformance.enabled = true
# A request the document forbids is refused; too large a body (413, the
# limits being byte counts no schema states) is a refusal too.
negative_data_rejection = { enabled = true, expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5xx"] }
# A request the document accepts is answered 2xx, or refused only for what a
# schema cannot know (401, 403, 404, 409, 429) — except where noted below.
positive_data_acceptance.enabled = true

[auth.openapi.staffToken]
bearer = ${toml(staff.token)}
[auth.openapi.adminToken]
bearer = ${toml(ADMIN_TOKEN)}
[auth.openapi.visitorToken]
bearer = ${toml(started.visitor_token)}
[auth.openapi.intakeKey]
bearer = ${toml(intake.intake_key)}

# Conversation paths use the seeded conversation, so its operations are
# reached past the 404 of a random id.
[[operations]]
include-path-regex = "^/v1/(staff/)?conversations/\\\\{id\\\\}"
parameters = { "path.id" = ${toml(conversation)} }

# Rules no JSON Schema can state, written in the document's descriptions and
# answered 422: a callback window must end in the future; an interval must
# close after it opens, and a new team needs a name.
[[operations]]
include-path = "/v1/conversations"
include-method = "POST"
checks = { positive_data_acceptance = { enabled = false } }

[[operations]]
include-path = "/v1/admin/sites/{site}/teams/{team}"
checks = { positive_data_acceptance = { enabled = false } }

# A destination's update may not carry fields of another kind (a url on an
# r2 destination, a prefix or chatwoot target on a webhook): 422, and the
# schema cannot know the stored kind.
[[operations]]
include-path = "/v1/admin/sites/{site}/destinations/{destination}"
include-method = "PATCH"
checks = { positive_data_acceptance = { enabled = false } }

# The insights drill-down takes exactly one of page, campaign or topic, and
# day or sentiment only with a topic (422 otherwise): query parameters that
# depend on each other, which no parameter schema can state.
[[operations]]
include-path = "/v1/staff/insights/conversations"
checks = { positive_data_acceptance = { enabled = false } }

# An export cursor is opaque: only one the worker gave out for the stream is
# valid (400 otherwise), and until must not be before since (422).
[[operations]]
include-path = "/v1/admin/sites/{site}/export/{stream}"
checks = { positive_data_acceptance = { enabled = false } }

# A visitor export's cursor is opaque too: only a next_cursor the worker
# gave out is valid (400 otherwise).
[[operations]]
include-path = "/v1/admin/sites/{site}/visitors/{visitor}"
include-method = "GET"
checks = { positive_data_acceptance = { enabled = false } }

# A delivery-log cursor is opaque too: only a next_cursor the worker gave out
# is valid (400 otherwise).
[[operations]]
include-path = "/v1/admin/sites/{site}/destinations/{destination}/deliveries"
checks = { positive_data_acceptance = { enabled = false } }

# Uploaded model examples: a text of nothing but U+0085 (a space to Rust,
# not to JSON Schema's \\S) is refused as empty, and a site keeps at most
# 20,000 examples (413): limits a schema of one request cannot state.
[[operations]]
include-path = "/v1/admin/sites/{site}/model/examples"
checks = { positive_data_acceptance = { enabled = false } }

# A saved reply's text is a reply's: not blank (U+0085 alone is a space to
# Rust, not to JSON Schema's \\S), no control or direction-override
# characters, at most 4,000 characters as the reply box counts them: 422.
[[operations]]
include-path = "/v1/admin/sites/{site}/saved-replies/{shortcut}"
include-method = "PUT"
checks = { positive_data_acceptance = { enabled = false } }

# Staff-account operations act on an account of their own (see above).
[[operations]]
include-path-regex = "^/v1/admin/sites/\\\\{site\\\\}/staff/\\\\{staff\\\\}"
parameters = { "path.staff" = ${toml(target.staff.id)} }

# Site-scoped operations and availability use the seeded site.
[[operations]]
include-path-regex = "^/v1/admin/sites/\\\\{site\\\\}"
parameters = { "path.site" = "demo" }

[[operations]]
include-path = "/v1/availability"
parameters = { "query.site" = "demo" }

# The presence socket opens only on an upgrade (Upgrade: websocket, a header
# no parameter schema states): the fuzzer's plain GETs are 422 by design.
[[operations]]
include-path = "/v1/availability/live"
parameters = { "query.site" = "demo" }
checks = { positive_data_acceptance = { enabled = false } }
`;
  const configPath = join(dir, 'schemathesis.toml');
  writeFileSync(configPath, config);
  const st_args = ['--config-file', configPath, 'run', join(root, 'openapi.json'),
    '--phases', 'examples,coverage,fuzzing', '--report', 'junit', '--report-dir', dir, ...args];
  console.log(`▶ st ${st_args.join(' ')}`);
  code = await new Promise((resolve) => {
    const env = { ...process.env, NO_COLOR: '1', PYTHONPATH: join(root, 'scripts') };
    const child = spawn(st, st_args, { stdio: 'inherit', cwd: root, env });
    child.on('exit', (status) => resolve(status ?? 1));
  });
} finally {
  await runtime.close();
}
process.exit(code);
