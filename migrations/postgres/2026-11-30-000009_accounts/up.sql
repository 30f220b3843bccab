-- Personal accounts for the pages, separate from API tokens. A person is known by a user id:
-- a password is one way to prove it (NULL for someone who signs in elsewhere, such as the
-- municipality's identity provider), and the session holds only the user id.
CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    -- Stored in lower case: one account an address, however it is typed.
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
    -- An argon2id PHC string.
    password_hash TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    disabled_at TIMESTAMP
);
CREATE UNIQUE INDEX users_email_idx ON users (email);

-- Sessions of signed-in people. The id is the SHA-256 of the secret in the cookie, so that the
-- table gives nobody a way in.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Every form of the session carries it.
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
