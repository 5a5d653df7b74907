-- Lexicon words match as whole words by default; the words listed here also match inside longer words. Rows written
-- before this column get an empty list, so every stored lexicon stays valid (its words become whole-word terms).
ALTER TABLE moderation_lexicons ADD COLUMN IF NOT EXISTS substring_words text[] NOT NULL DEFAULT '{}';
