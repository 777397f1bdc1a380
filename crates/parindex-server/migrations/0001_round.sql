-- One schema for SQLite and PostgreSQL: TEXT and BIGINT only, ids made by the server.

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    round_id TEXT,
    unit_code TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    csrf TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE rounds (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    set_file TEXT NOT NULL,
    set_text TEXT NOT NULL,
    year BIGINT NOT NULL,
    state TEXT NOT NULL,
    windows TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE units (
    round_id TEXT NOT NULL REFERENCES rounds (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    attributes TEXT NOT NULL,
    status TEXT NOT NULL,
    submitted_at BIGINT,
    -- The order the office gave the units in: inputs, and so results, keep it.
    position BIGINT NOT NULL,
    PRIMARY KEY (round_id, code)
);

-- An appraiser's assignment: a unit ('*': every unit of the round) and an area of the set
-- ('': every criterion).
CREATE TABLE assignments (
    round_id TEXT NOT NULL REFERENCES rounds (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    unit_code TEXT NOT NULL,
    area TEXT NOT NULL,
    PRIMARY KEY (round_id, account_id, unit_code, area)
);

CREATE TABLE leaf_values (
    round_id TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    leaf TEXT NOT NULL,
    stage TEXT NOT NULL,
    value TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (round_id, unit_code, leaf, stage),
    FOREIGN KEY (round_id, unit_code) REFERENCES units (round_id, code)
);

CREATE TABLE evidence (
    round_id TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    leaf TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    PRIMARY KEY (round_id, unit_code, leaf, sha256),
    FOREIGN KEY (round_id, unit_code) REFERENCES units (round_id, code)
);

CREATE TABLE comments (
    id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    leaf TEXT NOT NULL,
    author TEXT NOT NULL,
    at BIGINT NOT NULL,
    body TEXT NOT NULL,
    FOREIGN KEY (round_id, unit_code) REFERENCES units (round_id, code)
);

-- Append-only: the server has no statement that updates or deletes a row of it.
CREATE TABLE audit (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    round_id TEXT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    reason TEXT
);

CREATE TABLE bundles (
    round_id TEXT PRIMARY KEY REFERENCES rounds (id),
    sha256 TEXT NOT NULL,
    document TEXT NOT NULL,
    published_at BIGINT NOT NULL
);

CREATE INDEX comments_by_unit ON comments (round_id, unit_code);
CREATE INDEX audit_by_round ON audit (round_id, at);
