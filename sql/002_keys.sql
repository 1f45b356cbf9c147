-- Client keys. Only the SHA-256 of a key is stored (hex); the key itself is shown once at creation.
-- A revoked key keeps its row (for `keys list`) until its name is reused.
CREATE TABLE client_keys (
  name TEXT PRIMARY KEY,
  key_hash TEXT NOT NULL,
  tools TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT,
  last_used_at BIGINT
);
CREATE UNIQUE INDEX client_keys_hash ON client_keys (key_hash);
