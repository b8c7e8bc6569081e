// Schema test: applies server/migrations/*.sql to a fresh, uniquely named database and checks the
// result against the seed (seed_schema.json, a hand transcription of
// seed/06-database-schema-draft.md) plus the refinements the migrations add (REFINEMENTS below).
//
//   . .var/env && node --test server/schema_tests/
//
// Needs TEST_DATABASE_URL (a role that may CREATE DATABASE) and `psql` on PATH; skips without the
// URL. No npm packages: every query goes through psql.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const migrationsDir = join(here, '..', 'migrations');
const seed = JSON.parse(readFileSync(join(here, 'seed_schema.json'), 'utf8'));
const ADMIN_URL = process.env.TEST_DATABASE_URL;

// What the migrations add to the seed's tables, each for a reason given in the migration's comments.
// A column, index or UNIQUE constraint on a seed table that is neither in the seed nor here fails
// the test: declare it here when a migration adds one.
const REFINEMENTS = {
  columns: {
    projects: {
      board_seq: { type: 'bigint', nullable: false, default: '0' },
      task_seq: { type: 'bigint', nullable: false, default: '0' },
    },
    task_columns: { status: { type: 'varchar(32)', nullable: false, default: "'TODO'::character varying" } },
    tasks: {
      position: { type: 'bigint', nullable: false, default: null },
      version: { type: 'int', nullable: false, default: '1' },
      number: { type: 'bigint', nullable: true, default: null },
    },
    artifact_links: {
      kind: { type: 'varchar(32)', nullable: false, default: "'relates'::character varying" },
      origin: { type: 'varchar(32)', nullable: false, default: "'USER'::character varying" },
    },
    files: {
      version: { type: 'bigint', nullable: false, default: '0' },
      size: { type: 'bigint', nullable: false, default: '0' },
      path_key: { type: 'text', nullable: false, default: null },
      log_start: { type: 'bigint', nullable: false, default: '0' },
    },
    call_sessions: {
      origin_type: { type: 'varchar(32)', nullable: true, default: null },
      origin_id: { type: 'uuid', nullable: true, default: null },
    },
  },
  // name -> table, columns ('<expr>' for an expression), unique, access method, text in its definition
  indexes: {
    uq_users_email_lower: { table: 'users', columns: ['<expr>'], unique: true, am: 'btree', def: 'lower((email)::text)' },
    idx_tasks_column_position: { table: 'tasks', columns: ['column_id', 'position'], unique: false, am: 'btree' },
    uq_call_sessions_active_project: {
      table: 'call_sessions', columns: ['project_id'], unique: true, am: 'btree', def: "WHERE ((status)::text = 'ACTIVE'::text)",
    },
    idx_call_sessions_project_started: { table: 'call_sessions', columns: ['project_id', 'started_at', 'id'], unique: false, am: 'btree' },
    uq_files_project_path_key: { table: 'files', columns: ['project_id', 'path_key'], unique: true, am: 'btree' },
    uq_tasks_project_number: { table: 'tasks', columns: ['project_id', 'number'], unique: true, am: 'btree' },
    idx_tasks_fts: {
      table: 'tasks', columns: ['<expr>'], unique: false, am: 'gin',
      def: "to_tsvector('simple'::regconfig, (((COALESCE(title, ''::character varying))::text || ' '::text) || COALESCE(description, ''::text)))",
    },
  },
  unique: {
    artifact_links: [['project_id', 'source_type', 'source_id', 'target_type', 'target_id']],
  },
  // CHECK constraint name -> table, column, the values it allows (exactly).
  checks: {
    ck_project_members_role: { table: 'project_members', column: 'role', values: ['OWNER', 'MAINTAINER', 'MEMBER'] },
    ck_task_columns_status: { table: 'task_columns', column: 'status', values: ['TODO', 'IN_PROGRESS', 'DONE'] },
    ck_tasks_status: { table: 'tasks', column: 'status', values: ['TODO', 'IN_PROGRESS', 'DONE'] },
    ck_tasks_priority: { table: 'tasks', column: 'priority', values: ['LOW', 'MEDIUM', 'HIGH'] }, // NULL passes too (tested below)
    ck_files_type: { table: 'files', column: 'type', values: ['CODE', 'ASSET', 'GENERATED'] },
    ck_artifact_links_source_type: { table: 'artifact_links', column: 'source_type', values: ['TASK', 'FILE', 'PAGE', 'MESSAGE'] },
    ck_artifact_links_target_type: { table: 'artifact_links', column: 'target_type', values: ['TASK', 'FILE', 'PAGE', 'MESSAGE'] },
    ck_artifact_links_kind: {
      table: 'artifact_links', column: 'kind', values: ['relates', 'blocks', 'duplicates', 'implements', 'discusses'],
    },
    ck_artifact_links_origin: { table: 'artifact_links', column: 'origin', values: ['USER', 'MENTION'] },
    ck_call_sessions_status: { table: 'call_sessions', column: 'status', values: ['ACTIVE', 'ENDED'] },
    ck_call_sessions_origin_type: { table: 'call_sessions', column: 'origin_type', values: ['TASK', 'FILE', 'PAGE'] },
  },
  // table.column -> ON DELETE action; every other foreign key of the seed keeps NO ACTION.
  onDelete: {
    'user_sessions.user_id': 'CASCADE',
    'project_members.project_id': 'CASCADE',
    'task_columns.project_id': 'CASCADE',
    'tasks.project_id': 'CASCADE',
    'files.project_id': 'CASCADE',
    'pages.project_id': 'CASCADE',
    'messages.project_id': 'CASCADE',
    'artifact_links.project_id': 'CASCADE',
    'call_sessions.project_id': 'CASCADE',
    'tasks.column_id': 'RESTRICT',
    'tasks.assignee_id': 'SET NULL',
    'messages.reply_to_id': 'SET NULL',
    'pages.linked_file_id': 'SET NULL',
    'file_updates.file_id': 'CASCADE',
    'project_invitations.project_id': 'CASCADE',
    'project_invitations.created_by': 'SET NULL',
    'call_participants.call_id': 'CASCADE',
    'call_participants.user_id': 'CASCADE',
  },
};

const DELETE_ACTION = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** The seed's spelling of a type -> PostgreSQL's format_type() spelling. */
function pgType(seedType) {
  const m = /^varchar\((\d+)\)$/.exec(seedType);
  if (m) return `character varying(${m[1]})`;
  return { timestamptz: 'timestamp with time zone', int: 'integer' }[seedType] ?? seedType;
}

const NULL = '<NULL>';
const PSQL_ARGS = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-v', 'VERBOSITY=verbose', '-At', '-F', '\t', '-P', `null=${NULL}`];

function dbUrl(base, name) {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs SQL, returns rows (arrays of strings, NULL as null). Throws with psql's stderr on error. */
function sql(url, query) {
  const out = execFileSync('psql', [...PSQL_ARGS, '-d', url, '-c', query], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000,
  });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t').map((v) => (v === NULL ? null : v)));
}

/** Runs SQL that must fail; returns psql's stderr (VERBOSITY=verbose puts the SQLSTATE in it). */
function sqlFails(url, query) {
  const r = spawnSync('psql', [...PSQL_ARGS, '-d', url, '-c', query], { encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(r.status, 0, `expected to fail but succeeded: ${query}`);
  return r.stderr;
}

if (!ADMIN_URL) {
  test('database schema matches the seed', (t) => t.skip('TEST_DATABASE_URL is not set'));
} else {
  const dbName = `schema_test_${process.pid}_${Date.now().toString(36)}_${randomUUID().slice(0, 8)}`;
  const url = dbUrl(ADMIN_URL, dbName);
  let created = false;
  const cat = {}; // catalog snapshot, filled in before()

  before(() => {
    sql(ADMIN_URL, `CREATE DATABASE ${dbName}`);
    created = true;
    // Numeric order of the NNNN prefix, as the server's migrator (server/src/db/migrate.cpp) does.
    const files = readdirSync(migrationsDir).filter((f) => /^\d+_.+\.sql$/.test(f))
      .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    assert.ok(files.length > 0, `no migrations in ${migrationsDir}`);
    for (const f of files) {
      const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1', '-d', url, '-f', join(migrationsDir, f)],
        { encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0) throw new Error(`migration ${f} failed (exit ${r.status}):\n${r.stderr}`);
    }

    cat.columns = {};
    for (const [table, column, type, nullable, def] of sql(url, `
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), (NOT a.attnotnull)::text,
               pg_get_expr(d.adbin, d.adrelid)
          FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`)) {
      (cat.columns[table] ??= {})[column] = { type, nullable: nullable === 'true', default: def };
    }

    cat.indexes = {};
    for (const [table, name, unique, primary, am, columns, def] of sql(url, `
        SELECT t.relname, i.relname, ix.indisunique::text, ix.indisprimary::text, am.amname,
               array_to_string(ARRAY(
                 SELECT coalesce(a.attname, '<expr>')
                   FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                   LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                  ORDER BY k.ord), ','),
               pg_get_indexdef(i.oid)
          FROM pg_index ix
          JOIN pg_class i ON i.oid = ix.indexrelid
          JOIN pg_class t ON t.oid = ix.indrelid
          JOIN pg_namespace n ON n.oid = t.relnamespace
          JOIN pg_am am ON am.oid = i.relam
         WHERE n.nspname = 'public'`)) {
      cat.indexes[name] = { table, unique: unique === 'true', primary: primary === 'true', am, columns: columns.split(','), def };
    }

    cat.constraints = [];
    for (const [table, name, type, columns, ftable, fcolumns, onDelete, def] of sql(url, `
        SELECT t.relname, co.conname, co.contype::text,
               array_to_string(ARRAY(
                 SELECT a.attname FROM unnest(co.conkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.attnum
                  ORDER BY k.ord), ','),
               coalesce(ft.relname, ''),
               array_to_string(ARRAY(
                 SELECT a.attname FROM unnest(co.confkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.attnum
                  ORDER BY k.ord), ','),
               co.confdeltype::text, pg_get_constraintdef(co.oid)
          FROM pg_constraint co
          JOIN pg_class t ON t.oid = co.conrelid
          JOIN pg_namespace n ON n.oid = t.relnamespace
          LEFT JOIN pg_class ft ON ft.oid = co.confrelid
         WHERE n.nspname = 'public'`)) {
      cat.constraints.push({ table, name, type, columns: columns.split(','), ftable, fcolumns: fcolumns.split(','), onDelete, def });
    }
  });

  after(() => {
    if (created) sql(ADMIN_URL, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  });

  // ---- the seed, table by table ---------------------------------------------------------------
  for (const [table, spec] of Object.entries(seed.tables)) {
    test(`seed table ${table}: columns, types, nullability, defaults`, () => {
      const actual = cat.columns[table];
      assert.ok(actual, `table ${table} is missing`);
      for (const [column, want] of Object.entries(spec.columns)) {
        const got = actual[column];
        assert.ok(got, `${table}.${column} is missing`);
        assert.equal(got.type, pgType(want.type), `${table}.${column} type`);
        assert.equal(got.nullable, want.nullable, `${table}.${column} nullable`);
        assert.equal(got.default, want.default, `${table}.${column} default`);
      }
      const extra = Object.keys(actual).filter((c) => !(c in spec.columns));
      const declared = Object.keys(REFINEMENTS.columns[table] ?? {});
      assert.deepEqual(extra.sort(), declared.sort(),
        `${table}: columns beyond the seed must be exactly the declared refinements`);
    });

    test(`seed table ${table}: primary key, foreign keys, UNIQUE constraints`, () => {
      const cons = cat.constraints.filter((c) => c.table === table);
      const pk = cons.filter((c) => c.type === 'p');
      assert.equal(pk.length, 1, `${table} has one primary key`);
      assert.deepEqual(pk[0].columns, spec.primary_key, `${table} primary key`);

      for (const [column, want] of Object.entries(spec.columns)) {
        const fks = cons.filter((c) => c.type === 'f' && c.columns.length === 1 && c.columns[0] === column);
        if (!want.references) {
          assert.equal(fks.length, 0, `${table}.${column} has no foreign key in the seed`);
          continue;
        }
        assert.equal(fks.length, 1, `${table}.${column} -> ${want.references}`);
        assert.equal(`${fks[0].ftable}(${fks[0].fcolumns.join(',')})`, want.references, `${table}.${column} target`);
      }
      assert.equal(cons.filter((c) => c.type === 'f' && c.columns.length !== 1).length, 0, 'no composite FKs');

      const uniques = cons.filter((c) => c.type === 'u').map((c) => c.columns.join(',')).sort();
      const wantUniques = [...spec.unique, ...(REFINEMENTS.unique[table] ?? [])].map((c) => c.join(',')).sort();
      assert.deepEqual(uniques, wantUniques, `${table} UNIQUE constraints`);
    });

    test(`seed table ${table}: named indexes`, () => {
      for (const [name, columns] of Object.entries(spec.indexes)) {
        const ix = cat.indexes[name];
        assert.ok(ix, `index ${name} is missing`);
        assert.equal(ix.table, table, `${name} is on ${table}`);
        assert.deepEqual(ix.columns, columns, `${name} columns`);
        assert.equal(ix.am, 'btree', `${name} access method`);
      }
      // Every index on the table is: the seed's, a declared refinement, or one backing the primary
      // key / a UNIQUE constraint.
      const backing = new Set(cat.constraints.filter((c) => c.table === table && 'pu'.includes(c.type)).map((c) => c.name));
      const undeclared = Object.entries(cat.indexes)
        .filter(([name, ix]) => ix.table === table && !(name in spec.indexes) && !(name in REFINEMENTS.indexes) && !backing.has(name))
        .map(([name]) => name);
      assert.deepEqual(undeclared, [], `${table}: indexes neither in the seed nor declared as refinements`);
    });
  }

  // ---- the refinements: in the catalog ---------------------------------------------------------
  test('refinement columns have their types, nullability and defaults', () => {
    for (const [table, columns] of Object.entries(REFINEMENTS.columns)) {
      for (const [column, want] of Object.entries(columns)) {
        const got = cat.columns[table]?.[column];
        assert.ok(got, `${table}.${column} is missing`);
        assert.deepEqual(got, { ...want, type: pgType(want.type) }, `${table}.${column}`);
      }
    }
  });

  test('refinement indexes exist as specified', () => {
    for (const [name, want] of Object.entries(REFINEMENTS.indexes)) {
      const ix = cat.indexes[name];
      assert.ok(ix, `index ${name} is missing`);
      assert.equal(ix.table, want.table, `${name} table`);
      assert.deepEqual(ix.columns, want.columns, `${name} columns`);
      assert.equal(ix.unique, want.unique, `${name} unique`);
      assert.equal(ix.am, want.am, `${name} access method`);
      if (want.def) assert.ok(ix.def.includes(want.def), `${name} definition: ${ix.def}`);
    }
  });

  test('CHECK constraints allow exactly the seed enumerations (no more, no fewer)', () => {
    const checks = cat.constraints.filter((c) => c.type === 'c' && c.table in seed.tables);
    assert.deepEqual(checks.map((c) => c.name).sort(), Object.keys(REFINEMENTS.checks).sort(), 'CHECK constraints on seed tables');
    for (const c of checks) {
      const want = REFINEMENTS.checks[c.name];
      assert.equal(c.table, want.table, `${c.name} table`);
      assert.deepEqual(c.columns, [want.column], `${c.name} column`);
      // e.g. CHECK (((status)::text = ANY ((ARRAY['TODO'::character varying, ...])::text[])))
      const values = [...c.def.matchAll(/'([^']*)'::/g)].map((m) => m[1]);
      assert.deepEqual(values.sort(), [...want.values].sort(), `${c.name} values: ${c.def}`);
    }
  });

  test('foreign keys have the ON DELETE actions of the refinements (NO ACTION elsewhere)', () => {
    for (const c of cat.constraints.filter((x) => x.type === 'f')) {
      const key = `${c.table}.${c.columns[0]}`;
      assert.equal(DELETE_ACTION[c.onDelete], REFINEMENTS.onDelete[key] ?? 'NO ACTION', `ON DELETE of ${key}`);
    }
    for (const key of Object.keys(REFINEMENTS.onDelete)) {
      const [table, column] = key.split('.');
      assert.ok(cat.constraints.some((c) => c.type === 'f' && c.table === table && c.columns[0] === column), `FK ${key} exists`);
    }
  });

  test('no triggers (updated_at is maintained by the application) and no pgcrypto', () => {
    assert.deepEqual(sql(url, `SELECT tgname FROM pg_trigger WHERE NOT tgisinternal`), []);
    assert.deepEqual(sql(url, `SELECT extname FROM pg_extension WHERE extname = 'pgcrypto'`), []);
  });

  // ---- the refinements: behaviour --------------------------------------------------------------
  const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

  /** Creates a user; returns its id. */
  function makeUser(email = `u-${randomUUID()}@example.test`) {
    const id = randomUUID();
    sql(url, `INSERT INTO users (id, email, password_hash, name) VALUES (${q(id)}, ${q(email)}, 'x', 'U')`);
    return id;
  }

  /** Creates a project with one of every child row; returns the ids. */
  function makeProject() {
    const ids = {
      user: makeUser(), assignee: makeUser(), project: randomUUID(), column: randomUUID(), task: randomUUID(),
      file: randomUUID(), page: randomUUID(), message: randomUUID(), reply: randomUUID(), link: randomUUID(),
      call: randomUUID(), member: randomUUID(),
    };
    const u = q(ids.user);
    sql(url, `
      INSERT INTO projects (id, name, created_by) VALUES (${q(ids.project)}, 'P', ${u});
      INSERT INTO project_members (id, project_id, user_id, role) VALUES (${q(ids.member)}, ${q(ids.project)}, ${u}, 'OWNER');
      INSERT INTO task_columns (id, project_id, name, position) VALUES (${q(ids.column)}, ${q(ids.project)}, 'To Do', 0);
      INSERT INTO tasks (id, project_id, column_id, title, description, status, assignee_id, priority, created_by, position)
        VALUES (${q(ids.task)}, ${q(ids.project)}, ${q(ids.column)}, 'Fix the flux capacitor', 'needs 1.21 gigawatts',
                'TODO', ${q(ids.assignee)}, NULL, ${u}, 65536);
      INSERT INTO files (id, project_id, path, path_key, name, type, content, created_by, updated_by)
        VALUES (${q(ids.file)}, ${q(ids.project)}, 'src/app/page.tsx', 'src/app/page.tsx', 'page.tsx', 'GENERATED', '', ${u}, ${u});
      INSERT INTO pages (id, project_id, name, route, structure, linked_file_id, created_by, updated_by)
        VALUES (${q(ids.page)}, ${q(ids.project)}, 'Landing', '/', '{}', ${q(ids.file)}, ${u}, ${u});
      INSERT INTO messages (id, project_id, author_id, content) VALUES (${q(ids.message)}, ${q(ids.project)}, ${u}, 'hi');
      INSERT INTO messages (id, project_id, author_id, content, reply_to_id)
        VALUES (${q(ids.reply)}, ${q(ids.project)}, ${u}, 'hello', ${q(ids.message)});
      INSERT INTO artifact_links (id, project_id, source_type, source_id, target_type, target_id, created_by)
        VALUES (${q(ids.link)}, ${q(ids.project)}, 'TASK', ${q(ids.task)}, 'FILE', ${q(ids.file)}, ${u});
      INSERT INTO call_sessions (id, project_id, started_by, status) VALUES (${q(ids.call)}, ${q(ids.project)}, ${u}, 'ACTIVE');`);
    return ids;
  }

  const one = (query) => sql(url, query)[0]?.[0];

  test('defaults of the refinement columns apply on insert', () => {
    const ids = makeProject();
    assert.equal(one(`SELECT board_seq FROM projects WHERE id = ${q(ids.project)}`), '0');
    assert.equal(one(`SELECT status FROM task_columns WHERE id = ${q(ids.column)}`), 'TODO');
    assert.equal(one(`SELECT version FROM tasks WHERE id = ${q(ids.task)}`), '1');
    assert.match(one(`SELECT id FROM users WHERE id = ${q(ids.user)}`), /^[0-9a-f-]{36}$/);
  });

  test('CHECK constraints reject values outside the seed enumerations', () => {
    const ids = makeProject();
    const bad = [
      ['ck_project_members_role', `UPDATE project_members SET role = 'ADMIN' WHERE id = ${q(ids.member)}`],
      ['ck_tasks_status', `UPDATE tasks SET status = 'BLOCKED' WHERE id = ${q(ids.task)}`],
      ['ck_tasks_status', `UPDATE tasks SET status = 'todo' WHERE id = ${q(ids.task)}`],
      ['ck_tasks_priority', `UPDATE tasks SET priority = 'URGENT' WHERE id = ${q(ids.task)}`],
      ['ck_task_columns_status', `UPDATE task_columns SET status = 'ARCHIVED' WHERE id = ${q(ids.column)}`],
      ['ck_files_type', `UPDATE files SET type = 'BINARY' WHERE id = ${q(ids.file)}`],
      ['ck_artifact_links_source_type', `UPDATE artifact_links SET source_type = 'USER' WHERE id = ${q(ids.link)}`],
      ['ck_artifact_links_target_type', `UPDATE artifact_links SET target_type = 'CALL' WHERE id = ${q(ids.link)}`],
      ['ck_call_sessions_status', `UPDATE call_sessions SET status = 'PAUSED' WHERE id = ${q(ids.call)}`],
      ['ck_call_sessions_status', `INSERT INTO call_sessions (project_id, started_by, status)
                                   VALUES (${q(ids.project)}, ${q(ids.user)}, 'RINGING')`],
    ];
    for (const [constraint, stmt] of bad) {
      const err = sqlFails(url, stmt);
      assert.match(err, /23514/, `${stmt}: SQLSTATE check_violation expected, got ${err}`);
      assert.ok(err.includes(`"${constraint}"`), `${stmt}: expected ${constraint} to reject it, got ${err}`);
    }
    // ... and accept every value of them.
    const good = [
      ...['OWNER', 'MAINTAINER', 'MEMBER'].map((v) => `UPDATE project_members SET role = '${v}' WHERE id = ${q(ids.member)}`),
      ...['TODO', 'IN_PROGRESS', 'DONE'].map((v) => `UPDATE tasks SET status = '${v}' WHERE id = ${q(ids.task)}`),
      ...['TODO', 'IN_PROGRESS', 'DONE'].map((v) => `UPDATE task_columns SET status = '${v}' WHERE id = ${q(ids.column)}`),
      ...["'LOW'", "'MEDIUM'", "'HIGH'", 'NULL'].map((v) => `UPDATE tasks SET priority = ${v} WHERE id = ${q(ids.task)}`),
      ...['CODE', 'ASSET', 'GENERATED'].map((v) => `UPDATE files SET type = '${v}' WHERE id = ${q(ids.file)}`),
      ...['TASK', 'FILE', 'PAGE', 'MESSAGE'].map((v) =>
        `UPDATE artifact_links SET source_type = '${v}', target_type = '${v}' WHERE id = ${q(ids.link)}`),
      ...['ENDED', 'ACTIVE'].map((v) => `UPDATE call_sessions SET status = '${v}' WHERE id = ${q(ids.call)}`),
    ];
    for (const stmt of good) sql(url, stmt);
  });

  test('e-mail is unique without regard to case', () => {
    const email = `Case.${randomUUID()}@Example.test`;
    makeUser(email);
    const err = sqlFails(url, `INSERT INTO users (email, password_hash, name) VALUES (${q(email.toLowerCase())}, 'x', 'U')`);
    assert.match(err, /23505/);
    assert.ok(err.includes('"uq_users_email_lower"'), err);
    const err2 = sqlFails(url, `INSERT INTO users (email, password_hash, name) VALUES (${q(email)}, 'x', 'U')`);
    assert.match(err2, /23505/);
  });

  test('an artifact link between the same two artifacts exists once', () => {
    const ids = makeProject();
    const err = sqlFails(url, `INSERT INTO artifact_links (project_id, source_type, source_id, target_type, target_id, created_by)
      VALUES (${q(ids.project)}, 'TASK', ${q(ids.task)}, 'FILE', ${q(ids.file)}, ${q(ids.user)})`);
    assert.match(err, /23505/);
    assert.ok(err.includes('"uq_artifact_links_source_target"'), err);
    // The reverse direction is a different link.
    sql(url, `INSERT INTO artifact_links (project_id, source_type, source_id, target_type, target_id, created_by)
      VALUES (${q(ids.project)}, 'FILE', ${q(ids.file)}, 'TASK', ${q(ids.task)}, ${q(ids.user)})`);
  });

  test('a column that holds tasks cannot be deleted (RESTRICT); an empty one can', () => {
    const ids = makeProject();
    const err = sqlFails(url, `DELETE FROM task_columns WHERE id = ${q(ids.column)}`);
    assert.match(err, /23503/, err); // foreign_key_violation (PostgreSQL reports RESTRICT this way)
    assert.ok(err.includes('"tasks_column_id_fkey"'), err);
    sql(url, `DELETE FROM tasks WHERE id = ${q(ids.task)}`);
    sql(url, `DELETE FROM task_columns WHERE id = ${q(ids.column)}`);
    assert.equal(one(`SELECT count(*) FROM task_columns WHERE id = ${q(ids.column)}`), '0');
  });

  test('SET NULL: assignee, replied-to message, linked file', () => {
    const ids = makeProject();
    sql(url, `DELETE FROM users WHERE id = ${q(ids.assignee)}`);
    assert.deepEqual(sql(url, `SELECT assignee_id FROM tasks WHERE id = ${q(ids.task)}`), [[null]]);
    sql(url, `DELETE FROM messages WHERE id = ${q(ids.message)}`);
    assert.deepEqual(sql(url, `SELECT reply_to_id FROM messages WHERE id = ${q(ids.reply)}`), [[null]]);
    sql(url, `DELETE FROM files WHERE id = ${q(ids.file)}`);
    assert.deepEqual(sql(url, `SELECT linked_file_id FROM pages WHERE id = ${q(ids.page)}`), [[null]]);
  });

  test('deleting a file deletes its edit log; one path key per project', () => {
    const ids = makeProject();
    const u = q(ids.user);
    sql(url, `INSERT INTO file_updates (file_id, version, client_id, author_id, changes)
              VALUES (${q(ids.file)}, 1, 'c1', ${u}, '[0]')`);
    assert.match(sqlFails(url, `INSERT INTO files (project_id, path, path_key, name, type, content, created_by, updated_by)
      VALUES (${q(ids.project)}, 'SRC/app/page.tsx', 'src/app/page.tsx', 'page.tsx', 'CODE', '', ${u}, ${u})`), /23505/);
    sql(url, `DELETE FROM files WHERE id = ${q(ids.file)}`);
    assert.equal(one(`SELECT count(*) FROM file_updates WHERE file_id = ${q(ids.file)}`), '0');
  });

  test("deleting a user deletes the user's sessions", () => {
    const user = makeUser();
    sql(url, `INSERT INTO user_sessions (user_id, token_hash, expires_at) VALUES (${q(user)}, 'h', now() + interval '1 day')`);
    sql(url, `DELETE FROM users WHERE id = ${q(user)}`);
    assert.equal(one(`SELECT count(*) FROM user_sessions WHERE user_id = ${q(user)}`), '0');
  });

  test('deleting a project deletes everything in it (tasks included), and nothing else', () => {
    const keep = makeProject();
    const ids = makeProject();
    const children = ['project_members', 'task_columns', 'tasks', 'files', 'pages', 'messages', 'artifact_links', 'call_sessions'];
    const count = (p) => Object.fromEntries(children.map((t) => [t, one(`SELECT count(*) FROM ${t} WHERE project_id = ${q(p)}`)]));
    assert.equal(count(ids.project).tasks, '1');
    sql(url, `DELETE FROM projects WHERE id = ${q(ids.project)}`);
    assert.deepEqual(count(ids.project), Object.fromEntries(children.map((t) => [t, '0'])));
    const kept = count(keep.project);
    for (const t of children) assert.notEqual(kept[t], '0', `${t} of another project kept`);
  });

  test('task search can use idx_tasks_fts', () => {
    const ids = makeProject();
    const expr = `to_tsvector('simple', coalesce(title,'') || ' ' || coalesce(description,''))`;
    const found = sql(url, `SELECT id FROM tasks WHERE ${expr} @@ websearch_to_tsquery('simple', 'flux gigawatts')
                                                AND project_id = ${q(ids.project)}`);
    assert.deepEqual(found, [[ids.task]]);
    const plan = sql(url, `SET enable_seqscan = off; EXPLAIN SELECT id FROM tasks
                            WHERE ${expr} @@ websearch_to_tsquery('simple', 'flux')`).flat().join('\n');
    assert.match(plan, /idx_tasks_fts/, plan);
  });
}
