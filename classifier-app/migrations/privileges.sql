-- Who may do what, applied by the migration job after the migrations, on every run (so that a
-- restored database gets it too). The migration job connects as the owner of the schema; the app
-- and the trainer connect as roles that can do only their own work, and own nothing.
-- (Not a numbered migration: node-pg-migrate skips this file, migrate.ts runs it.)

-- The roles, if they are not there yet; migrate.ts then sets their passwords from the secrets.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'classifier_app') THEN CREATE ROLE classifier_app; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'classifier_trainer') THEN CREATE ROLE classifier_trainer; END IF;
END
$$;
ALTER ROLE classifier_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 20;
ALTER ROLE classifier_trainer LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 2;

-- Nothing by default: no temporary tables, no new objects anywhere.
REVOKE ALL ON DATABASE classifier FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM classifier_app, classifier_trainer;
GRANT CONNECT ON DATABASE classifier TO classifier_app, classifier_trainer;
GRANT USAGE ON SCHEMA public TO classifier_app, classifier_trainer;

-- The app: store and read predictions and feedback (replace a feedback's answer), read models.
GRANT SELECT, INSERT ON predictions, feedback TO classifier_app;
GRANT UPDATE (correct, comment, given_at) ON feedback TO classifier_app;
GRANT SELECT ON model_versions TO classifier_app;

-- The trainer: read the predictions that got feedback, store and read models.
GRANT SELECT ON predictions, feedback TO classifier_trainer;
GRANT SELECT, INSERT ON model_versions TO classifier_trainer;
