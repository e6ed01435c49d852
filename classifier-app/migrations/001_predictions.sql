-- The first version of the schema: the models the trainer stores, and every prediction the app
-- makes with one of them. node-pg-migrate runs the Up part once, in a transaction.

-- Up Migration
CREATE TABLE model_versions (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  model jsonb NOT NULL,
  data_rows integer NOT NULL,
  feedback_rows integer NOT NULL,
  test_accuracy double precision NOT NULL
);

CREATE TABLE predictions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  features double precision[] NOT NULL,
  label text NOT NULL,
  score double precision NOT NULL,
  model_version integer NOT NULL REFERENCES model_versions (id),
  note text NOT NULL DEFAULT '' CHECK (length(note) <= 200)
);

-- Down Migration
DROP TABLE predictions;
DROP TABLE model_versions;
