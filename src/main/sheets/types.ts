// Plain data passed between the stages of sheet reading: decoded pages, boxes, cell verdicts.

/** An 8-bit greyscale image, row-major, 0 = black ink, 255 = white paper. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export type SheetFormat = 'png' | 'jpeg' | 'tiff' | 'pdf';

/** One page of an imported file, as decoded (before any deskew or rotation). */
export interface DecodedPage {
  /** 1-based page number within the file. */
  page: number;
  image: GrayImage;
  /** Resolution when the file says so (or, for PDF, the resolution rendered at); else null. */
  dpi: number | null;
}

/** An axis-aligned box in pixel coordinates of some image. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type CellKind = 'empty' | 'digit' | 'junk';

export interface CellVerdict {
  kind: CellKind;
  /** Why a cell is junk (several large strokes, too wide, crossed out, ...), for the person reviewing it. */
  reason?: string;
  /** Junk by a shape rule the junk detector may overrule (a suspicion, not proof; see cell-junk.ts). */
  overrulable?: boolean;
  /** 28×28 pixels 0-1, white ink on black, normalised like MNIST; present unless kind is 'empty'. */
  pixels?: Float32Array;
  /** Ink found, as a fraction of the cell's interior area (after border and speck removal). */
  ink: number;
}
