// Smoke test of a running Neo4j through its HTTP Query API (POST /db/neo4j/query/v2).
//
//   scripts/neo4j/start.sh && . .var/neo4j.env && node --test scripts/neo4j/ ; scripts/neo4j/stop.sh
//
// Skips when NEO4J_URL is unset. Node 20 built-ins only (global fetch).
import { test } from 'node:test';
import assert from 'node:assert/strict';

const NEO4J_URL = process.env.NEO4J_URL?.replace(/\/+$/, '');

async function query(statement, parameters) {
  const res = await fetch(`${NEO4J_URL}/db/neo4j/query/v2`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(parameters ? { statement, parameters } : { statement }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

test('Neo4j answers Cypher through the Query API', { skip: NEO4J_URL ? false : 'NEO4J_URL is not set' }, async () => {
  const { status, body } = await query('RETURN 1 AS x');
  assert.equal(status, 202, JSON.stringify(body)); // the Query API answers 202 Accepted
  assert.deepEqual(body.data, { fields: ['x'], values: [[1]] });
});

test('Query API takes parameters and writes (MERGE is idempotent)', { skip: NEO4J_URL ? false : 'NEO4J_URL is not set' }, async () => {
  const id = `smoke-${process.pid}-${Date.now()}`;
  const merge = `MERGE (t:Task {id: $id}) MERGE (f:File {id: $id})
                 MERGE (t)-[:LINKED_TO]->(f) RETURN t.id AS id`;
  for (let i = 0; i < 2; i++) {
    const { status, body } = await query(merge, { id });
    assert.equal(status, 202, JSON.stringify(body));
    assert.deepEqual(body.data.values, [[id]]);
  }
  const count = await query('MATCH (:Task {id: $id})-[r:LINKED_TO]-(:File {id: $id}) RETURN count(r) AS n', { id });
  assert.deepEqual(count.body.data.values, [[1]]);
  await query('MATCH (n {id: $id}) DETACH DELETE n', { id });
});

test('a Cypher error is reported, not swallowed', { skip: NEO4J_URL ? false : 'NEO4J_URL is not set' }, async () => {
  const { status, body } = await query('RETURN nope(');
  assert.equal(status, 400);
  assert.ok(Array.isArray(body.errors) && body.errors.length > 0, JSON.stringify(body));
  assert.match(body.errors[0].code, /Neo\.ClientError\.Statement\.SyntaxError/);
});
