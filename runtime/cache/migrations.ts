/**
 * The state database's schema, as migrations: migration i brings the schema
 * from version i to i + 1 (`PRAGMA user_version`). Append, never edit: a
 * database in the field may stand at any version.
 */
export const MIGRATIONS: readonly string[] = [
  // 0 → 1: cache records, refs with owner records, named images.
  `
  CREATE TABLE cache_records (
    key        TEXT PRIMARY KEY,
    refs       TEXT NOT NULL,              -- JSON array of ref ids, one per output
    vertex     TEXT NOT NULL,              -- the vertex's name, for kiln du
    digest     TEXT NOT NULL,              -- the vertex's digest
    created    INTEGER NOT NULL,           -- ms since the epoch
    last_used  INTEGER NOT NULL,
    size       INTEGER NOT NULL DEFAULT 0  -- bytes of its refs, when it was saved
  );
  CREATE INDEX cache_records_last_used ON cache_records (last_used);

  -- A ref is a snapshot or a blob the state root keeps. It lives while it has an
  -- owner: "cache:<key>" (a cache record), "image:<name>" (a named image),
  -- "ref:<id>" (a snapshot stacked on it), or anything a caller names.
  CREATE TABLE refs (
    id       TEXT PRIMARY KEY,
    kind     TEXT NOT NULL CHECK (kind IN ('snapshot', 'blob')),
    size     INTEGER NOT NULL DEFAULT 0,
    created  INTEGER NOT NULL
  );
  CREATE TABLE ref_owners (
    ref    TEXT NOT NULL REFERENCES refs (id) ON DELETE CASCADE,
    owner  TEXT NOT NULL,
    PRIMARY KEY (ref, owner)
  ) WITHOUT ROWID;
  CREATE INDEX ref_owners_owner ON ref_owners (owner);

  CREATE TABLE images (
    name     TEXT PRIMARY KEY,             -- a reference, docker.io/library/busybox:latest
    digest   TEXT NOT NULL,                -- its manifest (or index) digest in the content store
    created  INTEGER NOT NULL,
    updated  INTEGER NOT NULL
  );
  `,
  // 1 → 2: builds whose new snapshots may not be on disk yet (see StateDb.trackUnsynced).
  `
  CREATE TABLE unsynced (
    boot     TEXT NOT NULL,                -- the kernel's boot id when the build ran
    pid      INTEGER NOT NULL,
    started  INTEGER NOT NULL,             -- ms since the epoch: records made since may lack their data
    PRIMARY KEY (boot, pid)
  );
  `,
];
