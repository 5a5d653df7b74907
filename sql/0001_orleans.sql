-- 0001_orleans.sql
-- Storage for Orleans 10.4.2 ADO.NET providers (invariant "Npgsql"):
-- clustering (membership), grain persistence and reminders.
--
-- The providers load their statements at startup with the fixed, unquoted query
--   SELECT QueryKey, QueryText FROM OrleansQuery
-- which PostgreSQL folds to lowercase, so the lookup table must be called
-- orleansquery with columns querykey / querytext. Npgsql matches result column
-- names case-insensitively, but every statement below still aliases its result
-- columns to the exact names the providers read ("Version", "StartTime", ...).
--
-- Parameters are written as @Name; the providers bind them by name with fixed
-- .NET types (int -> integer, long -> bigint, string -> text, DateTime (UTC) ->
-- timestamptz, byte[] -> bytea), and the function signatures match those types.
--
-- Safe to re-apply: IF NOT EXISTS for tables/indexes, CREATE OR REPLACE for
-- functions, upsert for the statement rows.

CREATE TABLE IF NOT EXISTS orleansquery (
    querykey  varchar(64) PRIMARY KEY,
    querytext text        NOT NULL
);

-----------------------------------------------------------------------------
-- Clustering
-----------------------------------------------------------------------------

-- One row per cluster (the providers call it DeploymentId). Its version is the
-- table-wide ETag: every membership insert/update must present the version it
-- read and bumps it by one, which gives optimistic concurrency across silos.
CREATE TABLE IF NOT EXISTS orleans_membership_version (
    deployment_id text        PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS orleans_membership (
    deployment_id   text        NOT NULL
        REFERENCES orleans_membership_version (deployment_id) ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,   -- Orleans SiloStatus: 3 = Active, 6 = Dead
    proxy_port      integer     NOT NULL,   -- 0 when the silo is not a gateway
    suspect_times   text,                   -- provider-formatted "silo,time|silo,time"
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- Inserts a silo row only if the caller saw the current table version; bumps it.
CREATE OR REPLACE FUNCTION orleans_membership_insert(
    p_deployment_id   text,
    p_address         text,
    p_port            integer,
    p_generation      integer,
    p_silo_name       text,
    p_host_name       text,
    p_status          integer,
    p_proxy_port      integer,
    p_start_time      timestamptz,
    p_i_am_alive_time timestamptz,
    p_seen_version    integer)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_current integer;
BEGIN
    -- The row lock serialises concurrent writers of the same cluster.
    SELECT version INTO v_current
      FROM orleans_membership_version
     WHERE deployment_id = p_deployment_id
       FOR UPDATE;

    IF v_current IS NULL OR v_current IS DISTINCT FROM p_seen_version THEN
        RETURN false;
    END IF;

    INSERT INTO orleans_membership (
        deployment_id, address, port, generation, silo_name, host_name,
        status, proxy_port, suspect_times, start_time, i_am_alive_time)
    VALUES (
        p_deployment_id, p_address, p_port, p_generation,
        coalesce(p_silo_name, ''), coalesce(p_host_name, ''),
        p_status, coalesce(p_proxy_port, 0), NULL, p_start_time, p_i_am_alive_time)
    ON CONFLICT (deployment_id, address, port, generation) DO NOTHING;

    IF NOT FOUND THEN
        RETURN false;   -- silo already registered; leave the version untouched
    END IF;

    UPDATE orleans_membership_version
       SET version = version + 1, updated_at = now()
     WHERE deployment_id = p_deployment_id;
    RETURN true;
END
$fn$;

-- Updates a silo row only if the caller saw the current table version; bumps it.
CREATE OR REPLACE FUNCTION orleans_membership_update(
    p_deployment_id   text,
    p_address         text,
    p_port            integer,
    p_generation      integer,
    p_status          integer,
    p_suspect_times   text,
    p_i_am_alive_time timestamptz,
    p_seen_version    integer)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_current integer;
BEGIN
    SELECT version INTO v_current
      FROM orleans_membership_version
     WHERE deployment_id = p_deployment_id
       FOR UPDATE;

    IF v_current IS NULL OR v_current IS DISTINCT FROM p_seen_version THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership
       SET status = p_status,
           suspect_times = p_suspect_times,
           i_am_alive_time = p_i_am_alive_time
     WHERE deployment_id = p_deployment_id
       AND address = p_address
       AND port = p_port
       AND generation = p_generation;

    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership_version
       SET version = version + 1, updated_at = now()
     WHERE deployment_id = p_deployment_id;
    RETURN true;
END
$fn$;

-----------------------------------------------------------------------------
-- Grain persistence
-----------------------------------------------------------------------------

-- A grain state is identified by service, state/grain type string and grain key
-- (two bigints for GUID/integer keys plus an optional string part). The provider
-- also sends 32-bit signed hashes of the key and of the type string; they lead
-- the unique index so lookups stay narrow, while the full identity decides
-- equality (hashes can collide). Free-form strings enter the index as md5 to stay
-- clear of the btree entry size limit.
-- version is the ETag; payload_binary is NULL after a clear that keeps the row.
-- grain_type_string is the state name given to [PersistentState(...)], not the
-- grain class, and string keys carry no grain type: two grain classes that use
-- the same state name and the same key share one row.
CREATE TABLE IF NOT EXISTS orleans_grain_state (
    id                        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id                text        NOT NULL,
    grain_type_hash           integer     NOT NULL,
    grain_type_string         text        NOT NULL,
    grain_id_hash             integer     NOT NULL,
    grain_id_n0               bigint      NOT NULL,
    grain_id_n1               bigint      NOT NULL,
    grain_id_extension_string text,
    payload_binary            bytea,
    version                   integer     NOT NULL,
    modified_at               timestamptz NOT NULL DEFAULT now()
);

-- NULLS NOT DISTINCT: keys without an extension must still collide with each other.
CREATE UNIQUE INDEX IF NOT EXISTS orleans_grain_state_identity_uq
    ON orleans_grain_state (
        grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1,
        md5(grain_type_string), md5(grain_id_extension_string))
    NULLS NOT DISTINCT;

-- Returns the new version, or NULL when the caller's version is stale
-- (the provider turns NULL into an InconsistentStateException).
-- A NULL expected version means "first write": it only succeeds if no row exists.
CREATE OR REPLACE FUNCTION orleans_grain_state_write(
    p_service_id                text,
    p_grain_id_hash             integer,
    p_grain_id_n0               bigint,
    p_grain_id_n1               bigint,
    p_grain_type_hash           integer,
    p_grain_type_string         text,
    p_grain_id_extension_string text,
    p_expected_version          integer,
    p_payload_binary            bytea)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_new integer;
BEGIN
    IF p_expected_version IS NULL THEN
        INSERT INTO orleans_grain_state (
            service_id, grain_type_hash, grain_type_string, grain_id_hash,
            grain_id_n0, grain_id_n1, grain_id_extension_string,
            payload_binary, version)
        VALUES (
            p_service_id, p_grain_type_hash, p_grain_type_string, p_grain_id_hash,
            p_grain_id_n0, p_grain_id_n1, p_grain_id_extension_string,
            p_payload_binary, 1)
        ON CONFLICT (
            grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1,
            md5(grain_type_string), md5(grain_id_extension_string))
        DO NOTHING
        RETURNING version INTO v_new;
        RETURN v_new;
    END IF;

    UPDATE orleans_grain_state
       SET payload_binary = p_payload_binary,
           version = version + 1,
           modified_at = now()
     WHERE grain_id_hash = p_grain_id_hash
       AND grain_type_hash = p_grain_type_hash
       AND service_id = p_service_id
       AND grain_id_n0 = p_grain_id_n0
       AND grain_id_n1 = p_grain_id_n1
       AND grain_type_string = p_grain_type_string
       AND grain_id_extension_string IS NOT DISTINCT FROM p_grain_id_extension_string
       AND version = p_expected_version
    RETURNING version INTO v_new;
    RETURN v_new;
END
$fn$;

-- Clear keeping the row: drops the payload and bumps the version so the ETag
-- stays meaningful. Returns the new version, or NULL on a version conflict.
CREATE OR REPLACE FUNCTION orleans_grain_state_clear(
    p_service_id                text,
    p_grain_id_hash             integer,
    p_grain_id_n0               bigint,
    p_grain_id_n1               bigint,
    p_grain_type_hash           integer,
    p_grain_type_string         text,
    p_grain_id_extension_string text,
    p_expected_version          integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_new integer;
BEGIN
    IF p_expected_version IS NULL THEN
        -- Nothing was ever stored: record an empty state so later writes have a version to match.
        INSERT INTO orleans_grain_state (
            service_id, grain_type_hash, grain_type_string, grain_id_hash,
            grain_id_n0, grain_id_n1, grain_id_extension_string,
            payload_binary, version)
        VALUES (
            p_service_id, p_grain_type_hash, p_grain_type_string, p_grain_id_hash,
            p_grain_id_n0, p_grain_id_n1, p_grain_id_extension_string,
            NULL, 1)
        ON CONFLICT (
            grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1,
            md5(grain_type_string), md5(grain_id_extension_string))
        DO NOTHING
        RETURNING version INTO v_new;
        RETURN v_new;
    END IF;

    UPDATE orleans_grain_state
       SET payload_binary = NULL,
           version = version + 1,
           modified_at = now()
     WHERE grain_id_hash = p_grain_id_hash
       AND grain_type_hash = p_grain_type_hash
       AND service_id = p_service_id
       AND grain_id_n0 = p_grain_id_n0
       AND grain_id_n1 = p_grain_id_n1
       AND grain_type_string = p_grain_type_string
       AND grain_id_extension_string IS NOT DISTINCT FROM p_grain_id_extension_string
       AND version = p_expected_version
    RETURNING version INTO v_new;
    RETURN v_new;
END
$fn$;

-- Clear with DeleteStateOnClear = true: removes the row. The provider treats a
-- result equal to the caller's ETag (or NULL/empty) as a conflict, so success
-- returns the version the row would have had next; NULL means conflict.
CREATE OR REPLACE FUNCTION orleans_grain_state_delete(
    p_service_id                text,
    p_grain_id_hash             integer,
    p_grain_id_n0               bigint,
    p_grain_id_n1               bigint,
    p_grain_type_hash           integer,
    p_grain_type_string         text,
    p_grain_id_extension_string text,
    p_expected_version          integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_new integer;
BEGIN
    IF p_expected_version IS NULL THEN
        -- Deleting nothing is fine; a stored row the caller never saw is a conflict.
        PERFORM 1
           FROM orleans_grain_state
          WHERE grain_id_hash = p_grain_id_hash
            AND grain_type_hash = p_grain_type_hash
            AND service_id = p_service_id
            AND grain_id_n0 = p_grain_id_n0
            AND grain_id_n1 = p_grain_id_n1
            AND grain_type_string = p_grain_type_string
            AND grain_id_extension_string IS NOT DISTINCT FROM p_grain_id_extension_string;
        IF FOUND THEN
            RETURN NULL;
        END IF;
        RETURN 0;
    END IF;

    DELETE FROM orleans_grain_state
     WHERE grain_id_hash = p_grain_id_hash
       AND grain_type_hash = p_grain_type_hash
       AND service_id = p_service_id
       AND grain_id_n0 = p_grain_id_n0
       AND grain_id_n1 = p_grain_id_n1
       AND grain_type_string = p_grain_type_string
       AND grain_id_extension_string IS NOT DISTINCT FROM p_grain_id_extension_string
       AND version = p_expected_version
    RETURNING version + 1 INTO v_new;
    RETURN v_new;
END
$fn$;

-----------------------------------------------------------------------------
-- Reminders
-----------------------------------------------------------------------------

-- grain_hash is the grain's uniform hash reinterpreted as a signed int; the
-- provider picks the range statement by comparing the bounds in signed order,
-- so the column must stay a signed integer. version is the reminder's ETag.
CREATE TABLE IF NOT EXISTS orleans_reminder (
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    grain_hash    integer     NOT NULL,
    start_time    timestamptz NOT NULL,
    period        bigint      NOT NULL,   -- milliseconds
    version       integer     NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX IF NOT EXISTS orleans_reminder_service_hash_ix
    ON orleans_reminder (service_id, grain_hash);

-----------------------------------------------------------------------------
-- Statements loaded by the providers
-----------------------------------------------------------------------------

INSERT INTO orleansquery (querykey, querytext) VALUES

-- Clustering ---------------------------------------------------------------

-- Must yield exactly one row: true when this call created the cluster's version row.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orleans_membership_version (deployment_id, version)
    VALUES (@DeploymentId, 0)
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM created)
$q$),

('InsertMembershipKey', $q$
SELECT orleans_membership_insert(
    @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
    @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version)
$q$),

('UpdateMembershipKey', $q$
SELECT orleans_membership_update(
    @DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
    @IAmAliveTime, @Version)
$q$),

-- Heartbeats do not touch the table version.
('UpdateIAmAlivetimeKey', $q$
UPDATE orleans_membership
   SET i_am_alive_time = @IAmAliveTime
 WHERE deployment_id = @DeploymentId
   AND address = @Address
   AND port = @Port
   AND generation = @Generation
$q$),

-- Reads start from the version row so the table version comes back even when
-- no silo matches (StartTime is then NULL, which the provider reads as "no entry").
('MembershipReadRowKey', $q$
SELECT v.version         AS "Version",
       m.address         AS "Address",
       m.port            AS "Port",
       m.generation      AS "Generation",
       m.silo_name       AS "SiloName",
       m.host_name       AS "HostName",
       m.status          AS "Status",
       m.proxy_port      AS "ProxyPort",
       m.suspect_times   AS "SuspectTimes",
       m.start_time      AS "StartTime",
       m.i_am_alive_time AS "IAmAliveTime"
  FROM orleans_membership_version v
  LEFT JOIN orleans_membership m
         ON m.deployment_id = v.deployment_id
        AND m.address = @Address
        AND m.port = @Port
        AND m.generation = @Generation
 WHERE v.deployment_id = @DeploymentId
$q$),

('MembershipReadAllKey', $q$
SELECT v.version         AS "Version",
       m.address         AS "Address",
       m.port            AS "Port",
       m.generation      AS "Generation",
       m.silo_name       AS "SiloName",
       m.host_name       AS "HostName",
       m.status          AS "Status",
       m.proxy_port      AS "ProxyPort",
       m.suspect_times   AS "SuspectTimes",
       m.start_time      AS "StartTime",
       m.i_am_alive_time AS "IAmAliveTime"
  FROM orleans_membership_version v
  LEFT JOIN orleans_membership m
         ON m.deployment_id = v.deployment_id
 WHERE v.deployment_id = @DeploymentId
$q$),

-- @Status is Active (3); silos without a proxy port are not gateways.
('GatewaysQueryKey', $q$
SELECT address    AS "Address",
       proxy_port AS "ProxyPort",
       generation AS "Generation"
  FROM orleans_membership
 WHERE deployment_id = @DeploymentId
   AND status = @Status
   AND proxy_port > 0
$q$),

-- Silo rows go with the version row (ON DELETE CASCADE).
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM orleans_membership_version
 WHERE deployment_id = @DeploymentId
$q$),

-- Only dead silos (status 6) whose last heartbeat is older than the cutoff.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleans_membership
 WHERE deployment_id = @DeploymentId
   AND status = 6
   AND i_am_alive_time < @IAmAliveTime
$q$),

-- Grain persistence ----------------------------------------------------------

-- Zero rows when nothing is stored; a row with NULL payload is a cleared state
-- that still carries its version.
('ReadFromStorageKey', $q$
SELECT payload_binary AS "PayloadBinary",
       version        AS "Version"
  FROM orleans_grain_state
 WHERE grain_id_hash = @GrainIdHash
   AND grain_type_hash = @GrainTypeHash
   AND service_id = @ServiceId
   AND grain_id_n0 = @GrainIdN0
   AND grain_id_n1 = @GrainIdN1
   AND grain_type_string = @GrainTypeString
   AND grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
$q$),

('WriteToStorageKey', $q$
SELECT orleans_grain_state_write(
    @ServiceId, @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash,
    @GrainTypeString, @GrainIdExtensionString, @GrainStateVersion,
    @PayloadBinary) AS "NewGrainStateVersion"
$q$),

('ClearStorageKey', $q$
SELECT orleans_grain_state_clear(
    @ServiceId, @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash,
    @GrainTypeString, @GrainIdExtensionString, @GrainStateVersion)
$q$),

('DeleteStorageKey', $q$
SELECT orleans_grain_state_delete(
    @ServiceId, @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash,
    @GrainTypeString, @GrainIdExtensionString, @GrainStateVersion)
$q$),

-- Reminders ----------------------------------------------------------------

-- Always returns one row: the reminder's new version.
('UpsertReminderRowKey', $q$
INSERT INTO orleans_reminder AS r (
    service_id, grain_id, reminder_name, grain_hash, start_time, period, version)
VALUES (
    @ServiceId, @GrainId, @ReminderName, @GrainHash, @StartTime, @Period, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
   SET grain_hash = EXCLUDED.grain_hash,
       start_time = EXCLUDED.start_time,
       period = EXCLUDED.period,
       version = r.version + 1
RETURNING r.version AS "Version"
$q$),

('ReadReminderRowsKey', $q$
SELECT grain_id      AS "GrainId",
       reminder_name AS "ReminderName",
       start_time    AS "StartTime",
       period        AS "Period",
       version       AS "Version"
  FROM orleans_reminder
 WHERE service_id = @ServiceId
   AND grain_id = @GrainId
$q$),

('ReadReminderRowKey', $q$
SELECT grain_id      AS "GrainId",
       reminder_name AS "ReminderName",
       start_time    AS "StartTime",
       period        AS "Period",
       version       AS "Version"
  FROM orleans_reminder
 WHERE service_id = @ServiceId
   AND grain_id = @GrainId
   AND reminder_name = @ReminderName
$q$),

-- Range that does not wrap in signed order: (begin, end].
('ReadRangeRows1Key', $q$
SELECT grain_id      AS "GrainId",
       reminder_name AS "ReminderName",
       start_time    AS "StartTime",
       period        AS "Period",
       version       AS "Version"
  FROM orleans_reminder
 WHERE service_id = @ServiceId
   AND grain_hash > @BeginHash
   AND grain_hash <= @EndHash
$q$),

-- Range that wraps around the ring (also the whole ring when begin = end).
('ReadRangeRows2Key', $q$
SELECT grain_id      AS "GrainId",
       reminder_name AS "ReminderName",
       start_time    AS "StartTime",
       period        AS "Period",
       version       AS "Version"
  FROM orleans_reminder
 WHERE service_id = @ServiceId
   AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
$q$),

-- Must yield exactly one row: true when the row existed with the given ETag.
('DeleteReminderRowKey', $q$
WITH removed AS (
    DELETE FROM orleans_reminder
     WHERE service_id = @ServiceId
       AND grain_id = @GrainId
       AND reminder_name = @ReminderName
       AND version = @Version
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM removed)
$q$),

('DeleteReminderRowsKey', $q$
DELETE FROM orleans_reminder
 WHERE service_id = @ServiceId
$q$)

ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
