-- The second version: whether a prediction was right, as someone said on the page. A table of
-- its own, so that version 1's data stays as it was; one row per prediction at most.

-- Up Migration
CREATE TABLE feedback (
  prediction_id bigint PRIMARY KEY REFERENCES predictions (id) ON DELETE CASCADE,
  correct boolean NOT NULL,
  comment text NOT NULL DEFAULT '' CHECK (length(comment) <= 200),
  given_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE feedback;
