-- 002_settings_retired_cells: what the review app needs of the schema.
-- settings: small named JSON values: the flag-threshold override per model version, who decisions are
--   recorded as, cached model evaluations.
-- cells.retired: a page re-read with another grid (other header counts, corners marked by hand) reuses
--   the cell row of each address it still has, and retires the rows outside its new grid rather than
--   deleting them, because the append-only event log refers to every cell that ever was. Retired cells
--   are in no list, count, queue or export.

CREATE TABLE settings (
  key        TEXT PRIMARY KEY CHECK (length(key) > 0),
  value      TEXT NOT NULL CHECK (json_valid(value)),
  updated_at TEXT NOT NULL
) STRICT;

ALTER TABLE cells ADD COLUMN retired INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1));
