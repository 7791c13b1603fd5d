// For `./dev tills`: waits for the local cloud, makes (or logs in to) the demo restaurant's owner, and
// prints one pairing code per till asked for, one per line.
//
//   node scripts/tills.mjs http://127.0.0.1:8787 2

const [url, count] = process.argv.slice(2);
const owner = { email: 'owner@tills.example', password: 'correct horse battery' };

async function post(path, body, token) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

for (let attempt = 0; ; attempt++) {
  try {
    if ((await fetch(`${url}/api/v1/health`)).ok) break;
  } catch {
    // Not listening yet.
  }
  if (attempt > 150) throw new Error(`the cloud did not start on ${url}`);
  await new Promise((done) => setTimeout(done, 100));
}
let session = await post('/api/v1/auth/login', owner);
if (session.status !== 200) {
  session = await post('/api/v1/signup', { restaurant_name: 'The Copper Kettle', ...owner });
  if (session.status !== 201) throw new Error(`signup: ${session.status} ${JSON.stringify(session.body)}`);
}
for (let i = 0; i < Number(count); i++) {
  const code = await post('/api/v1/pairing-codes', {}, session.body.access_token);
  if (code.status !== 201) throw new Error(`pairing code: ${code.status} ${JSON.stringify(code.body)}`);
  console.log(code.body.code);
}
