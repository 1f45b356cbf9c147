-- Credential vault (envelope encryption). Nonces, ciphertexts and wrapped keys are base64 TEXT; every
-- ciphertext ends with its 128-bit GCM tag. The master key never touches the database.

-- A fixed marker sealed under the master key: a wrong master key is caught at start.
CREATE TABLE vault_key_check (
  id INTEGER PRIMARY KEY,
  nonce TEXT NOT NULL,
  ciphertext TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Key-encryption keys, versioned, each wrapped by the master key (AAD: its version).
CREATE TABLE vault_keks (
  version INTEGER PRIMARY KEY,
  nonce TEXT NOT NULL,
  wrapped_key TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- One row per name and principal (NULL: shared); `version` is the current version.
CREATE TABLE vault_credentials (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  principal TEXT,
  version INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX vault_credentials_name_principal ON vault_credentials (name, COALESCE(principal, ''));

-- Every version keeps its own data key (DEK), wrapped by a KEK (AAD: credential id, version, KEK version).
CREATE TABLE vault_credential_versions (
  credential_id TEXT NOT NULL REFERENCES vault_credentials (id),
  version INTEGER NOT NULL,
  kek_version INTEGER NOT NULL REFERENCES vault_keks (version),
  dek_nonce TEXT NOT NULL,
  wrapped_dek TEXT NOT NULL,
  nonce TEXT NOT NULL,
  ciphertext TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (credential_id, version)
);
CREATE INDEX vault_credential_versions_kek ON vault_credential_versions (kek_version);
