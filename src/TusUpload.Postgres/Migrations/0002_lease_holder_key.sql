-- A holder's liveness, read from pg_locks: its LISTEN session holds a session-level advisory lock
-- (tus_lock_namespace(), holder_key) for as long as it lives. pg_stat_activity could not serve: it hides another
-- role's backend_start, so instances under different roles judged each other's live sessions dead and took over.
-- Rows written before this column existed keep the old pid/start check.
ALTER TABLE tus_upload_lease ADD COLUMN holder_key integer;
