// Imported files: one row per scan or PDF, found by content hash so a file imported before is skipped.
import { basename } from 'node:path';
import type { SheetFormat } from '../sheets/types.js';
import { now, type Db } from './db.js';

export type FileStatus = 'importing' | 'done' | 'failed';

export interface FileRow {
  id: number;
  sha256: string;
  name: string;
  path: string;
  format: SheetFormat;
  size: number;
  pageCount: number | null;
  status: FileStatus;
  error: string | null;
  judge: string | null;
  headerRows: number;
  headerCols: number;
  importedAt: string;
}

export interface NewFile {
  sha256: string;
  path: string;
  /** Defaults to the base name of `path`. */
  name?: string;
  format: SheetFormat;
  size: number;
  pageCount?: number | null;
  judge?: string | null;
  headerRows?: number;
  headerCols?: number;
}

const COLUMNS = `id, sha256, name, path, format, size, page_count AS pageCount, status, error, judge,
  header_rows AS headerRows, header_cols AS headerCols, imported_at AS importedAt`;

export function get(db: Db, id: number): FileRow | undefined {
  return db.get<FileRow>(`SELECT ${COLUMNS} FROM files WHERE id = ?`, [id]);
}

/**
 * The file with this content, whatever its status: 'done' means skip it; 'importing' (a crash) or 'failed'
 * means `restart` it and import the pages it does not have yet.
 */
export function findBySha(db: Db, sha256: string): FileRow | undefined {
  return db.get<FileRow>(`SELECT ${COLUMNS} FROM files WHERE sha256 = ?`, [sha256]);
}

/** Records a file whose import is starting; returns its id. */
export function insertImporting(db: Db, file: NewFile): number {
  const info = db.run(
    `INSERT INTO files (sha256, name, path, format, size, page_count, status, judge, header_rows, header_cols, imported_at)
     VALUES (@sha256, @name, @path, @format, @size, @pageCount, 'importing', @judge, @headerRows, @headerCols, @importedAt)`,
    {
      sha256: file.sha256,
      name: file.name ?? basename(file.path),
      path: file.path,
      format: file.format,
      size: file.size,
      pageCount: file.pageCount ?? null,
      judge: file.judge ?? null,
      headerRows: file.headerRows ?? 1,
      headerCols: file.headerCols ?? 1,
      importedAt: now(),
    },
  );
  return Number(info.lastInsertRowid);
}

/** The number of pages, once the file is decoded (before its pages are stored one by one). */
export function setPageCount(db: Db, id: number, pageCount: number): void {
  change(db, id, 'UPDATE files SET page_count = ? WHERE id = ?', [pageCount, id]);
}

export function markDone(db: Db, id: number, pageCount?: number): void {
  change(db, id, "UPDATE files SET status = 'done', error = NULL, page_count = coalesce(?, page_count) WHERE id = ?", [
    pageCount ?? null,
    id,
  ]);
}

/** Pages stored before the failure stay, so a later import of the same file can resume. */
export function markFailed(db: Db, id: number, error: string): void {
  change(db, id, "UPDATE files SET status = 'failed', error = ? WHERE id = ?", [error, id]);
}

/** Puts an interrupted or failed file back to 'importing', with this run's options. */
export function restart(db: Db, id: number, options: Partial<Pick<NewFile, 'judge' | 'headerRows' | 'headerCols' | 'path'>> = {}): void {
  change(
    db,
    id,
    `UPDATE files SET status = 'importing', error = NULL, path = coalesce(?, path), judge = coalesce(?, judge),
       header_rows = coalesce(?, header_rows), header_cols = coalesce(?, header_cols) WHERE id = ?`,
    [options.path ?? null, options.judge ?? null, options.headerRows ?? null, options.headerCols ?? null, id],
  );
}

/** Every file, in the order exports list them. */
export function list(db: Db): FileRow[] {
  return db.all<FileRow>(`SELECT ${COLUMNS} FROM files ORDER BY name, id`);
}

function change(db: Db, id: number, sql: string, params: unknown[]): void {
  if (db.run(sql, params).changes === 0) throw new Error(`no file with id ${id}`);
}
