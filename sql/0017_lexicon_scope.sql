-- Which texts a lexicon checks: 'both' (questions and answers), 'input' (questions only) or 'output' (answers only).
-- Rows written before this column check both, as they always did.
ALTER TABLE moderation_lexicons ADD COLUMN IF NOT EXISTS scope text NOT NULL DEFAULT 'both'
    CHECK (scope IN ('both', 'input', 'output'));
