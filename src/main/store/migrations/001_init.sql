-- 001_init: the first schema: imported files, their pages, the cells read on them, the model versions
-- that read them, and the append-only log of every decision about a cell.
-- STRICT tables: a wrong type is an error, not a silently stored string.

CREATE TABLE files (
  id          INTEGER PRIMARY KEY,
  sha256      TEXT    NOT NULL UNIQUE,  -- the same scan imported twice is recognised and skipped
  name        TEXT    NOT NULL,         -- base name: what exports show
  path        TEXT    NOT NULL,         -- where it was imported from, for messages only
  format      TEXT    NOT NULL CHECK (format IN ('png', 'jpeg', 'tiff', 'pdf')),
  size        INTEGER NOT NULL CHECK (size >= 0),
  page_count  INTEGER CHECK (page_count >= 0),  -- null until the file has been decoded
  status      TEXT    NOT NULL DEFAULT 'importing' CHECK (status IN ('importing', 'done', 'failed')),
  error       TEXT,
  judge       TEXT,
  header_rows INTEGER NOT NULL DEFAULT 1 CHECK (header_rows >= 0),
  header_cols INTEGER NOT NULL DEFAULT 1 CHECK (header_cols >= 0),
  imported_at TEXT    NOT NULL
) STRICT;

CREATE TABLE pages (
  id         INTEGER PRIMARY KEY,
  file_id    INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
  page       INTEGER NOT NULL CHECK (page >= 1),
  width      INTEGER NOT NULL CHECK (width > 0),
  height     INTEGER NOT NULL CHECK (height > 0),
  dpi        REAL    CHECK (dpi > 0),           -- null when the file does not say
  image      BLOB    NOT NULL,                  -- PNG of the page as shown for review
  transform  TEXT    CHECK (json_valid(transform)),  -- rotation, skew, grid lines found
  rows       INTEGER NOT NULL DEFAULT 0 CHECK (rows >= 0),  -- data cells; 0 when no table was found
  cols       INTEGER NOT NULL DEFAULT 0 CHECK (cols >= 0),
  problem    TEXT,
  created_at TEXT    NOT NULL,
  UNIQUE (file_id, page)  -- also serves "pages of a file"
) STRICT;

CREATE TABLE models (
  version    INTEGER PRIMARY KEY CHECK (version >= 1),  -- 1 = the shipped model
  sha256     TEXT    NOT NULL,
  arch       TEXT    NOT NULL,
  card       TEXT    NOT NULL CHECK (json_valid(card)),
  path       TEXT    NOT NULL,
  created_at TEXT    NOT NULL,
  active     INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1))
) STRICT;

-- At most one model reads new cells; setActive switches inside one transaction, so never none either.
CREATE UNIQUE INDEX models_one_active ON models (active) WHERE active = 1;

CREATE TABLE cells (
  id            INTEGER PRIMARY KEY,
  page_id       INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
  row           INTEGER NOT NULL CHECK (row >= 1),
  col           INTEGER NOT NULL CHECK (col >= 1),
  box           TEXT    NOT NULL CHECK (json_valid(box)),  -- {x, y, w, h} in page pixels
  crop          BLOB,                                     -- PNG: the normalised 28x28 digit, or the raw cell
  probs         BLOB    CHECK (length(probs) = 40),       -- 10 float32 little-endian, calibrated
  value         INTEGER CHECK (value BETWEEN 0 AND 9),    -- the final value
  confidence    REAL    CHECK (confidence BETWEEN 0 AND 1),  -- calibrated probability of read_value
  status        TEXT    NOT NULL CHECK (status IN ('auto', 'flagged', 'confirmed', 'corrected', 'unresolved', 'empty')),
  reason        TEXT,                                     -- why the cell was flagged
  model_version INTEGER REFERENCES models (version),
  read_value    INTEGER CHECK (read_value BETWEEN 0 AND 9),  -- the model's reading, kept when a person changes value
  UNIQUE (page_id, row, col),  -- also serves "cells of a page"
  -- The statuses of SPEC section 3, as invariants: these hold whatever code writes the row.
  CHECK (CASE status
    WHEN 'auto' THEN value IS NOT NULL AND value IS read_value
    WHEN 'confirmed' THEN value IS read_value
    WHEN 'corrected' THEN 1
    ELSE value IS NULL
  END)
) STRICT;

-- Per-status counts and the review queue (flagged, least confident first) both walk this index.
CREATE INDEX cells_by_status ON cells (status, confidence);

-- Append-only: reviews are undone by appending an 'undo' event, never by editing the log.
-- No foreign key cascade reaches it, so a file whose cells have events cannot be deleted.
CREATE TABLE events (
  id          INTEGER PRIMARY KEY,
  at          TEXT    NOT NULL,
  user        TEXT    NOT NULL CHECK (length(user) > 0),  -- 'model', 'csv' or a person's name
  cell_id     INTEGER NOT NULL REFERENCES cells (id),
  kind        TEXT    NOT NULL CHECK (length(kind) > 0),  -- 'read', 'review', 'undo', 'reread'
  from_value  INTEGER,
  to_value    INTEGER,
  from_status TEXT,
  to_status   TEXT,
  undoes      INTEGER REFERENCES events (id),  -- for 'undo': the event it reverts
  detail      TEXT
) STRICT;

CREATE INDEX events_by_cell ON events (cell_id, id);
CREATE INDEX events_by_undoes ON events (undoes) WHERE undoes IS NOT NULL;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: UPDATE refused');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: DELETE refused');
END;
