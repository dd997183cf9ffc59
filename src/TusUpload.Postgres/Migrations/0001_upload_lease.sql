-- One row per upload being written: the lease that makes one writer per upload across server instances.
-- holder_pid and holder_started name the holder instance's LISTEN session, so that a holder whose process died
-- (its session is gone from pg_stat_activity) loses the lease at once instead of when it expires.
CREATE TABLE tus_upload_lease (
    upload_id      text        PRIMARY KEY,
    owner_token    uuid        NOT NULL,
    instance_id    text        NOT NULL,
    holder_pid     integer     NOT NULL,
    holder_started timestamptz NOT NULL,
    acquired_at    timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL
);

CREATE INDEX tus_upload_lease_expires_at ON tus_upload_lease (expires_at);
