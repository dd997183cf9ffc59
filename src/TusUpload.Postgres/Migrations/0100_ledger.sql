-- The upload ledger (docs/pipeline-ledger.md): uploads and their states, content-addressed blobs with reference
-- counts, the append-only audit trail and the transactional outbox. Safe to run again: every object is created
-- only when missing, so the ledger's own start-up check and the DbUp journal can both apply it.
CREATE TABLE IF NOT EXISTS ledger_uploads (
    id text PRIMARY KEY,
    state text NOT NULL CHECK (state IN ('created', 'receiving', 'received', 'processing', 'available',
        'duplicate', 'quarantined', 'failed', 'terminated', 'expired')),
    length bigint,
    sha256 text,
    verdict text,
    failure_reason text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL);

CREATE INDEX IF NOT EXISTS ledger_uploads_sha256 ON ledger_uploads (sha256);

CREATE TABLE IF NOT EXISTS ledger_blobs (
    sha256 text PRIMARY KEY,
    length bigint NOT NULL,
    reference_count bigint NOT NULL CHECK (reference_count >= 0),
    created_at timestamptz NOT NULL);

CREATE TABLE IF NOT EXISTS ledger_audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    upload_id text NOT NULL,
    at timestamptz NOT NULL,
    from_state text,
    to_state text NOT NULL,
    actor text NOT NULL,
    reason text);

CREATE INDEX IF NOT EXISTS ledger_audit_upload ON ledger_audit (upload_id, id);

CREATE TABLE IF NOT EXISTS ledger_outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    upload_id text NOT NULL,
    event_type text NOT NULL,
    payload text NOT NULL,
    created_at timestamptz NOT NULL,
    claimed_until timestamptz,
    claim_count integer NOT NULL DEFAULT 0,
    sent_at timestamptz,
    UNIQUE (upload_id, event_type));

CREATE INDEX IF NOT EXISTS ledger_outbox_unsent ON ledger_outbox (id) WHERE sent_at IS NULL;
