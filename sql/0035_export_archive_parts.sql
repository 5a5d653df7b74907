-- An export's archive in parts of a few MiB, each sealed with the tenant's key on its own: an archive is written and
-- read a part at a time, so neither a host nor one value holds it whole, and its size is not bound by a bytea (1 GB).
-- Archives stored whole before (data_exports.archive) are still read until they expire.
CREATE TABLE IF NOT EXISTS data_export_parts (
    export_id text NOT NULL REFERENCES data_exports ON DELETE CASCADE,
    part      int NOT NULL,
    data      bytea NOT NULL,
    PRIMARY KEY (export_id, part)
);
ALTER TABLE data_exports ADD COLUMN IF NOT EXISTS archive_bytes bigint;
