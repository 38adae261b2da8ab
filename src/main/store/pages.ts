// Pages of imported files: the stored page image, how the table was found on it, and per-page counts.
// A page and its cells are stored in one transaction by the caller: `db.transaction(() => { insert; cells.insertMany })`.
import type { CellCounts } from '../../shared/contract.js';
import { now, toBlob, type Db } from './db.js';

/** How the page was straightened and where its grid lies, kept so reviewers and rereads see the same cells. */
export interface PageTransform {
  /** Quarter turns applied to read the page upright, in degrees: 0, 90, 180 or 270. */
  rotation: number;
  /** Skew corrected, in degrees. */
  skew: number;
  /** Grid lines found, in pixels of the upright page: x of the vertical ones, y of the horizontal ones. */
  lines: { x: number[]; y: number[] };
  [more: string]: unknown;
}

export interface NewPage {
  fileId: number;
  page: number;
  width: number;
  height: number;
  dpi: number | null;
  /** PNG bytes. */
  image: Uint8Array;
  transform: PageTransform | null;
  /** Data cells; 0 × 0 when no table was found. */
  rows: number;
  cols: number;
  problem?: string | null;
}

/** A page without its image, which is fetched on its own (`getImage`) because it weighs megabytes. */
export interface PageRow {
  id: number;
  fileId: number;
  page: number;
  width: number;
  height: number;
  dpi: number | null;
  transform: PageTransform | null;
  rows: number;
  cols: number;
  problem: string | null;
  createdAt: string;
}

/** The stored row with its file's name and judge; the counts are the ones the contract's summary carries. */
export interface PageSummary extends PageRow, CellCounts {
  fileName: string;
  judge: string | null;
}

/** A page that exports no cells, to be named on stderr by `export`. */
export interface PageWithoutTable {
  fileId: number;
  fileName: string;
  page: number;
  problem: string | null;
}

type Raw<T> = Omit<T, 'transform'> & { transform: string | null };

const COLUMNS = `p.id, p.file_id AS fileId, p.page, p.width, p.height, p.dpi, p.transform, p.rows, p.cols, p.problem,
  p.created_at AS createdAt`;

const parse = <T extends PageRow>(row: Raw<T>): T =>
  ({ ...row, transform: row.transform === null ? null : (JSON.parse(row.transform) as PageTransform) }) as T;

export function insert(db: Db, page: NewPage): number {
  const info = db.run(
    `INSERT INTO pages (file_id, page, width, height, dpi, image, transform, rows, cols, problem, created_at)
     VALUES (@fileId, @page, @width, @height, @dpi, @image, @transform, @rows, @cols, @problem, @createdAt)`,
    {
      fileId: page.fileId,
      page: page.page,
      width: page.width,
      height: page.height,
      dpi: page.dpi,
      image: toBlob(page.image),
      transform: page.transform === null ? null : JSON.stringify(page.transform),
      rows: page.rows,
      cols: page.cols,
      problem: page.problem ?? null,
      createdAt: now(),
    },
  );
  return Number(info.lastInsertRowid);
}

export function get(db: Db, id: number): PageRow | undefined {
  const row = db.get<Raw<PageRow>>(`SELECT ${COLUMNS} FROM pages p WHERE p.id = ?`, [id]);
  return row && parse(row);
}

export function getImage(db: Db, id: number): Buffer | undefined {
  return db.get<{ image: Buffer }>('SELECT image FROM pages WHERE id = ?', [id])?.image;
}

export function listByFile(db: Db, fileId: number): PageRow[] {
  return db.all<Raw<PageRow>>(`SELECT ${COLUMNS} FROM pages p WHERE p.file_id = ? ORDER BY p.page`, [fileId]).map(parse);
}

export interface PageFilter {
  fileId?: number;
  pageId?: number;
  /** Pages of files imported with this judge. */
  judge?: string;
}

/** Every page (or a file's, or one) with its cell counts per status, ordered as exports are. */
export function listWithCounts(db: Db, filter: number | PageFilter = {}): PageSummary[] {
  const f = typeof filter === 'number' ? { fileId: filter } : filter;
  const rows = db.all<Raw<PageSummary>>(
    `SELECT ${COLUMNS}, f.name AS fileName, f.judge,
       count(c.id) AS cells,
       count(c.id) FILTER (WHERE c.status = 'auto') AS auto,
       count(c.id) FILTER (WHERE c.status = 'flagged') AS flagged,
       count(c.id) FILTER (WHERE c.status = 'empty') AS empty,
       count(c.id) FILTER (WHERE c.status = 'confirmed') AS confirmed,
       count(c.id) FILTER (WHERE c.status = 'corrected') AS corrected,
       count(c.id) FILTER (WHERE c.status = 'unresolved') AS unresolved,
       count(c.id) FILTER (WHERE c.status IN ('confirmed', 'corrected', 'unresolved')) AS reviewed
     FROM pages p JOIN files f ON f.id = p.file_id LEFT JOIN cells c ON c.page_id = p.id AND c.retired = 0
     WHERE (@fileId IS NULL OR p.file_id = @fileId) AND (@pageId IS NULL OR p.id = @pageId) AND (@judge IS NULL OR f.judge = @judge)
     GROUP BY p.id
     ORDER BY f.name, f.id, p.page`,
    { fileId: f.fileId ?? null, pageId: f.pageId ?? null, judge: f.judge ?? null },
  );
  return rows.map(parse);
}

/** What a reread changes of a page: its grid, size in cells, problem and, when it turned, its image. */
export interface PageUpdate {
  transform: PageTransform | null;
  rows: number;
  cols: number;
  problem: string | null;
  /** PNG bytes; the stored image stays when absent. */
  image?: Uint8Array;
}

export function update(db: Db, id: number, u: PageUpdate): void {
  const info = db.run(
    `UPDATE pages SET transform = @transform, rows = @rows, cols = @cols, problem = @problem, image = coalesce(@image, image) WHERE id = @id`,
    {
      id,
      transform: u.transform === null ? null : JSON.stringify(u.transform),
      rows: u.rows,
      cols: u.cols,
      problem: u.problem,
      image: u.image ? toBlob(u.image) : null,
    },
  );
  if (info.changes === 0) throw new Error(`no page with id ${id}`);
}

/** Pages that have no cells (no table was found), in export order. */
export function withoutTable(db: Db): PageWithoutTable[] {
  return db.all<PageWithoutTable>(
    `SELECT p.file_id AS fileId, f.name AS fileName, p.page, p.problem
     FROM pages p JOIN files f ON f.id = p.file_id
     WHERE NOT EXISTS (SELECT 1 FROM cells c WHERE c.page_id = p.id AND c.retired = 0)
     ORDER BY f.name, f.id, p.page`,
  );
}
