// The per-cell stage's tunables: thresholds and sizes (lengths in mm unless said otherwise).

/** Hysteresis thresholds on contrast (grey levels below the paper): floors, used when the paper is clean. */
export const T_LOW_MIN = 8;
export const T_HIGH_MIN = 14;
/** The high threshold never above this: ink of any pen passes it, however noisy the estimate. */
export const T_HIGH_MAX = 90;
export const SPECK_MM2 = 0.3;
export const SPECK_MM = 1.0;
/** Empty: less ink than this, and no mark of at least STROKE_MIN_MM2 that is STROKE_MM long (diagonal). */
export const EMPTY_MM2 = 0.8;
export const STROKE_MM = 2.5;
export const STROKE_MIN_MM2 = 0.15;
/** Too wide: ink width / height above this (MNIST test set: 99.5% of digits are ≤ 1.43). */
export const MAX_ASPECT = 1.5;
/** Two digits touching: a box this much wider than high with a vertical cut through at most MAX_NECK
 * stroke widths (plain digits that wide are rare; a wide '4' or '0' has thin places too). */
export const NECK_ASPECT = 1.2;
export const MAX_NECK = 1.8;
/** ... where the ink on each side of the cut reaches at least this fraction of the ink height. */
export const NECK_SIDE_HEIGHT = 0.7;
/** Shape features are measured on the ink at least this fraction of the stroke core's contrast. */
export const SHAPE_LEVEL = 0.4;
/** Scribble: more enclosed gaps than this ('8' has two, a thick '4' or a looped '2' may add one). */
export const MAX_HOLES = 3;
/** Scribble: stroke length over ink height above this (drawn MNIST digits: 99.9% ≤ 4.2). */
export const MAX_TORTUOSITY = 5.0;
/** Scribble: ink density in its box above MAX_DENSITY when the box is at least 0.55 as wide as high, or
 * above MAX_DENSITY_NARROW when at least 0.4 (none of 2000 drawn MNIST digits; a '1' is narrower and
 * may be nearly solid). Measured on the strokes' shape (SHAPE_LEVEL). */
export const MAX_DENSITY = 0.7;
export const MAX_DENSITY_NARROW = 0.78;
/** Scribble: mean ink runs across a row or column above this (zigzags; MNIST '8' or '3': < 2.9). */
export const MAX_RUNS = 3.0;
/** Crossing strokes are searched within this many degrees of horizontal, in steps of STRIKE_STEP_DEG. */
export const MAX_STRIKE_DEG = 48;
export const STRIKE_STEP_DEG = 6;
/** The crossing-stroke search works on the ink downsampled by a whole factor to about this height (px). */
export const STRIKE_HEIGHT = 28;
/** Cells scanned finer than ~1.5× this are averaged down to about this resolution first. */
export const ANALYSIS_DPI = 200;
/** Strokes thinner than this fraction of the ink height are thickened before normalising. */
export const THIN_STROKE = 0.09;
