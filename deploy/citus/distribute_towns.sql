-- Distribute every live town schema (status active or suspended) that Citus does not
-- distribute yet, one town per transaction. Idempotent: run it again after new towns are
-- created, or after one failed; schemas already in citus_schemas are left alone.
--
-- Run on the coordinator, in Liaison's database, as a superuser (citus_schema_distribute
-- must be called by the owner of the schema and its tables), directly (not via PgBouncer):
--
--   psql "postgresql://postgres@coordinator/liaison" -f deploy/citus/distribute_towns.sql
--
-- Read deploy/citus/README.md first: the town roles must be able to log in on the workers.

\set ON_ERROR_STOP on

DO $$
DECLARE
    town record;
    distributed integer := 0;
    skipped integer := 0;
BEGIN
    IF to_regprocedure('citus_schema_distribute(regnamespace)') IS NULL THEN
        RAISE EXCEPTION 'citus_schema_distribute() is missing: this needs Citus 12 or later, '
                        'with CREATE EXTENSION citus in this database';
    END IF;

    FOR town IN
        SELECT t.id, t.slug, n.nspname AS schema_name, r.rolname AS owner, r.rolcanlogin
          FROM platform.towns t
          JOIN pg_namespace n ON n.nspname = t.schema_name
          JOIN pg_roles r ON r.oid = n.nspowner
         WHERE t.status IN ('active', 'suspended')
           AND n.oid NOT IN (SELECT s.schema_name::oid FROM citus_schemas s)
         ORDER BY t.id
    LOOP
        -- Citus creates and moves a schema's shards over connections made as the owner
        -- of its tables; a NOLOGIN owner fails halfway through, so stop before that.
        IF NOT town.rolcanlogin THEN
            RAISE WARNING 'skipped %: its owner % cannot log in (see deploy/citus/README.md)',
                          town.schema_name, town.owner;
            skipped := skipped + 1;
            CONTINUE;
        END IF;

        RAISE NOTICE 'distributing % (town % #%)', town.schema_name, town.slug, town.id;
        PERFORM citus_schema_distribute(town.schema_name::regnamespace);
        -- Keep every finished town even if a later one fails.
        COMMIT;
        distributed := distributed + 1;
    END LOOP;

    RAISE NOTICE 'done: % town schema(s) distributed, % skipped', distributed, skipped;
END
$$;

-- Where every town schema now lives (schema_size asks every node, so this takes a moment).
SELECT s.schema_name, s.colocation_id, s.schema_size, s.schema_owner
  FROM citus_schemas s
  JOIN platform.towns t ON t.schema_name = s.schema_name::text
 ORDER BY t.id;
