// Run: cd cli/src/test/node && npm install && ../../../pgisolated wrap -- node devoxa-check.js
// A check with an IntegreSQL client that is not part of pgisolated: @devoxa/integresql-client, as its README uses it.
const { IntegreSQLClient } = require('@devoxa/integresql-client');
const { Client } = require('pg');
const client = new IntegreSQLClient({ url: process.env.INTEGRESQL_URL });
(async () => {
  const hash = 'devoxa-check-' + Date.now();
  await client.initializeTemplate(hash, async (config) => {
    const db = new Client({ connectionString: client.databaseConfigToConnectionUrl(config) });
    await db.connect();
    await db.query("create table users (id serial primary key, name text); insert into users (name) values ('ada'), ('alan')");
    await db.end();
  });
  // A second initialize is a 423, which the client treats as "ready".
  await client.initializeTemplate(hash, async () => { throw new Error('must not run: already initialized'); });
  const seen = new Set();
  await Promise.all([...Array(12).keys()].map(async (i) => {
    const config = await client.getTestDatabase(hash);
    if (seen.has(config.database)) throw new Error('handed out twice at once: ' + config.database);
    seen.add(config.database);
    const db = new Client({ connectionString: client.databaseConfigToConnectionUrl(config) });
    await db.connect();
    const { rows } = await db.query('select count(*)::int as n from users');
    if (rows[0].n !== 2) throw new Error('not the template state: ' + rows[0].n);
    await db.query("insert into users (name) values ('test " + i + "')");
    await db.end();
    seen.delete(config.database);
  }));
  const res = await client.api.getTestDatabase(hash);
  await client.api.recreateTestDatabase(hash, res.id);
  const res2 = await client.api.getTestDatabase(hash);
  await client.api.reuseTestDatabase(hash, res2.id);
  await client.api.discardTemplate(hash);
  try { await client.getTestDatabase(hash); throw new Error('expected 410'); } catch (e) { if (e.responseStatus !== 410) throw e; }
  console.log('devoxa client: OK (12 concurrent leases, recreate, reuse, discard -> 410)');
})().catch((e) => { console.error('devoxa client: FAILED', e); process.exit(1); });
