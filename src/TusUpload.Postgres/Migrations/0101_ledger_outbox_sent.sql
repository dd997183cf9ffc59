-- Pruning of sent outbox rows (Ledger:SentOutboxRetention) deletes the oldest sent rows in batches; this index lets
-- each batch find them without reading the whole table. Partial, so unsent rows cost it nothing. Safe to run again.
-- Building it locks writes to the outbox once, for as long as a pass over the rows already sent takes.
CREATE INDEX IF NOT EXISTS ledger_outbox_sent ON ledger_outbox (sent_at) WHERE sent_at IS NOT NULL;
