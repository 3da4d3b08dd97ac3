'use strict';
// A small FedCM identity provider: Express, a JSON-file store, node's own
// crypto. The "Node IdP" that tests/benchmarks/bench_server.py measures
// django-fedcm against (docs/benchmarks.md). README.md here lists the
// environment variables, the store's shape and what it does not do.
//
//   NODE_IDP_STORE=store.json node server.js [port]

const cluster = require('node:cluster');
const crypto = require('node:crypto');
const fs = require('node:fs');
const { promisify } = require('node:util');
const express = require('express');

const PORT = Number(process.env.NODE_IDP_PORT || process.argv[2] || 8080);
const STORE = process.env.NODE_IDP_STORE || 'store.json';
const WORKERS = Number(process.env.NODE_IDP_WORKERS || 2);
const ISSUER = process.env.NODE_IDP_ISSUER || `http://127.0.0.1:${PORT}`;
const CONNECTION_CLOSE = process.env.NODE_IDP_CONNECTION_CLOSE === '1';
const COOKIE = 'node_idp_session';
const SESSION_MS = 14 * 24 * 3600 * 1000;
const TOKEN_SECONDS = 300;

// -- the store ----------------------------------------------------------------
// One JSON object: users {id: {username, password, name, email, ...}},
// clients {client_id: {origins: [...]}}, grants {user id: {client_id: grant}},
// sessions {session id: {user, expires}}, signingKey {kid, pem}.

const readStore = () => JSON.parse(fs.readFileSync(STORE, 'utf8'));

function writeStore(store) {
  // Write, then rename over the old file: a crash leaves the old file or the
  // new one, never half of one.
  const temporary = `${STORE}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(store, null, 2));
  fs.renameSync(temporary, STORE);
}

// A change is {path: ['grants', userId, clientId], value}.
function apply(store, { path, value }) {
  let node = store;
  for (const key of path.slice(0, -1)) node = node[key] ??= {};
  node[path[path.length - 1]] = value;
}

// Own properties only: a client_id of "__proto__" finds nothing.
const lookup = (object, key) =>
  object && typeof key === 'string' && Object.hasOwn(object, key) ? object[key] : undefined;

// -- the primary: owns the file -----------------------------------------------

function runPrimary() {
  const store = readStore();
  if (!store.signingKey) {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
    store.signingKey = { kid: crypto.randomBytes(8).toString('hex'), pem };
    writeStore(store);
  }
  // Workers send their changes here; one process applies them in order, so two
  // workers never write the file at once. The other workers are told before the
  // sender is answered: a request that follows on another worker sees the change.
  cluster.on('message', (worker, change) => {
    apply(store, change);
    writeStore(store);
    for (const other of Object.values(cluster.workers)) {
      if (other !== worker) other.send(change);
    }
    worker.send({ saved: change.id });
  });
  // The workers accept connections themselves on the shared socket, as
  // gunicorn's workers do; the primary does no per-request work.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  let stopping = false;
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(`worker ${worker.process.pid} exited (${signal || code}); starting another`);
    cluster.fork();
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers)) worker.kill('SIGTERM');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (let i = 0; i < WORKERS; i += 1) cluster.fork();
  console.error(`node IdP on 127.0.0.1:${PORT}, ${WORKERS} workers, store ${STORE}`);
}

// -- a worker: serves ---------------------------------------------------------

let store; // this worker's copy, kept up to date by the primary's messages
let KID;
let KEY; // the private key, parsed once per process
let JWK;
const waiting = new Map(); // change id -> resolve, until the primary has saved it
let lastChange = 0;

// Apply a change here, have the primary write it; resolves once it is on disk.
function save(path, value) {
  apply(store, { path, value });
  lastChange += 1;
  const id = lastChange;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    process.send({ id, path, value });
  });
}

const pbkdf2 = promisify(crypto.pbkdf2);

// "pbkdf2_sha256$<iterations>$<salt>$<base64 digest>"
async function passwordMatches(password, encoded) {
  const [scheme, iterations, salt, digest] = encoded.split('$');
  if (scheme !== 'pbkdf2_sha256') return false;
  const expected = Buffer.from(digest, 'base64');
  const actual = await pbkdf2(password, salt, Number(iterations), expected.length, 'sha256');
  return crypto.timingSafeEqual(actual, expected);
}

function sessionUser(req) {
  for (const pair of (req.get('Cookie') || '').split(';')) {
    const [name, value] = pair.trim().split('=');
    if (name !== COOKIE) continue;
    const session = lookup(store.sessions, value);
    if (session && session.expires > Date.now()) return lookup(store.users, session.user);
  }
  return undefined;
}

const base64url = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');

// RS256 (RFC 7518 section 3.3): RSASSA-PKCS1-v1_5 over SHA-256, node's default for RSA keys.
function signJwt(claims) {
  const input = `${base64url({ alg: 'RS256', kid: KID, typ: 'JWT' })}.${base64url(claims)}`;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), KEY).toString('base64url')}`;
}

const fail = (res, status, code) => res.status(status).json({ error: { code } });

// Browsers send Sec-Fetch-Dest: webidentity on FedCM fetches and pages cannot
// set it (https://w3c-fedid.github.io/FedCM/#idp-api-accounts-endpoint).
function fedcmOnly(req, res, next) {
  if (req.get('Sec-Fetch-Dest') !== 'webidentity') return fail(res, 400, 'invalid_request');
  return next();
}

const app = express();
app.disable('x-powered-by');
if (CONNECTION_CLOSE) {
  app.use((req, res, next) => {
    res.set('Connection', 'close');
    next();
  });
}
const form = express.urlencoded({ extended: false, limit: '16kb' });

// https://w3c-fedid.github.io/FedCM/#idp-api-well-known
app.get('/.well-known/web-identity', (req, res) => {
  res.json({ provider_urls: [`${ISSUER}/fedcm/config.json`] });
});

// https://w3c-fedid.github.io/FedCM/#idp-api-config-file
app.get('/fedcm/config.json', (req, res) => {
  res.json({
    accounts_endpoint: '/fedcm/accounts',
    id_assertion_endpoint: '/fedcm/assertion',
    login_url: '/signin',
    branding: { background_color: '#1a73e8', color: '#ffffff' },
  });
});

// Fetched by the relying party's backend to check the tokens.
app.get('/fedcm/jwks.json', (req, res) => res.json({ keys: [JWK] }));

// https://w3c-fedid.github.io/FedCM/#idp-api-accounts-endpoint
app.get('/fedcm/accounts', fedcmOnly, (req, res) => {
  const user = sessionUser(req);
  if (!user) return fail(res, 401, 'unauthorized');
  return res.json({
    accounts: [{
      id: user.id,
      name: user.name,
      given_name: user.given_name,
      email: user.email,
      login_hints: user.login_hints || [],
      domain_hints: user.domain_hints || [],
      approved_clients: Object.keys(lookup(store.grants, user.id) || {}),
    }],
  });
});

// https://w3c-fedid.github.io/FedCM/#idp-api-id-assertion-endpoint
app.post('/fedcm/assertion', fedcmOnly, form, async (req, res) => {
  const body = req.body || {}; // Express 5: undefined when the body is not a form
  const origin = req.get('Origin');
  const clientId = body.client_id;
  const client = lookup(store.clients, clientId);
  // The Origin must be one the client registered, exactly.
  if (!client || !client.origins.includes(origin)) return fail(res, 401, 'unauthorized_client');
  // https://w3c-fedid.github.io/FedCM/#sec-cors-header
  res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true' });
  res.set({ 'Cache-Control': 'no-store', Vary: 'Origin' });
  const user = sessionUser(req);
  if (!user || user.id !== body.account_id) return fail(res, 403, 'access_denied');
  let params;
  try {
    params = JSON.parse(body.params || '{}');
  } catch {
    return fail(res, 400, 'invalid_request');
  }
  // A first sign-in records the grant (the user saw the disclosure); a
  // returning user's is read from memory.
  if (!lookup(lookup(store.grants, user.id), clientId)) {
    const fields = String(body.disclosure_shown_for || '').split(',').filter(Boolean);
    await save(['grants', user.id, clientId], { fields, created: new Date().toISOString() });
  }
  const now = Math.floor(Date.now() / 1000);
  const token = signJwt({
    iss: ISSUER,
    sub: user.id,
    aud: clientId,
    nonce: params.nonce ?? body.nonce,
    iat: now,
    exp: now + TOKEN_SECONDS,
    name: user.name,
    given_name: user.given_name,
    family_name: user.family_name,
    email: user.email,
    email_verified: Boolean(user.email_verified),
  });
  return res.json({ token });
});

// The login_url: a form, and the sign-in that sets the session cookie.
app.get('/signin', (req, res) => {
  res.type('html').send('<form method="post"><input name="username"><input name="password" '
    + 'type="password"><button>Sign in</button></form>');
});

app.post('/signin', form, async (req, res) => {
  const { username, password } = req.body || {};
  const user = Object.values(store.users).find((candidate) => candidate.username === username);
  if (!user || typeof password !== 'string' || !(await passwordMatches(password, user.password))) {
    return fail(res, 401, 'invalid_credentials');
  }
  const session = crypto.randomBytes(32).toString('base64url');
  await save(['sessions', session], { user: user.id, expires: Date.now() + SESSION_MS });
  // SameSite=None: FedCM's credentialed fetches are cross-site.
  res.cookie(COOKIE, session, {
    httpOnly: true, secure: true, sameSite: 'none', maxAge: SESSION_MS, path: '/',
  });
  res.set('Set-Login', 'logged-in'); // the Login Status API
  return res.status(204).end();
});

function runWorker() {
  store = readStore(); // the primary made the key before forking
  KID = store.signingKey.kid;
  KEY = crypto.createPrivateKey(store.signingKey.pem);
  const publicKey = crypto.createPublicKey(KEY).export({ format: 'jwk' });
  JWK = { ...publicKey, kid: KID, alg: 'RS256', use: 'sig' };
  process.on('message', (message) => {
    if ('saved' in message) {
      waiting.get(message.saved)();
      waiting.delete(message.saved);
    } else {
      apply(store, message); // another worker's change
    }
  });
  app.listen(PORT, '127.0.0.1');
}

if (cluster.isPrimary) runPrimary();
else runWorker();
