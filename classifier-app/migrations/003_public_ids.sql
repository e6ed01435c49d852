-- The third version: each prediction gets a public id, a random UUID (122 random bits). The API
-- names predictions by it, never by the row number: a row number can be guessed (the next one is
-- one more) and, after a crash, handed out again; a random UUID can be neither, so feedback only
-- ever reaches the prediction whose id its sender was given.

-- Up Migration
ALTER TABLE predictions ADD COLUMN public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid();

-- Down Migration
ALTER TABLE predictions DROP COLUMN public_id;
