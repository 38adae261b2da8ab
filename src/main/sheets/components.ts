// Connected components (8-connectivity) of a binary mask, with area, bounding box and centroid.

/** One connected component of a mask. Coordinates are pixel indices within the mask. */
export interface Component {
  /** Label in the `labels` array of the result (1-based; 0 is background). */
  label: number;
  /** Number of pixels. */
  area: number;
  /** Inclusive bounding box: x0..x1, y0..y1. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Centroid (mean of pixel indices). */
  cx: number;
  cy: number;
}

export interface Components {
  /** Per pixel: 0 for background, else the label of the pixel's component. */
  labels: Int32Array;
  /** The components in order of their first pixel in raster order; `list[i].label === i + 1`. */
  list: Component[];
}

/**
 * Labels the 8-connected components of `mask` (non-zero = foreground), `width` × `height`, row-major.
 * One raster pass with union-find over provisional labels, then a relabelling pass that also gathers
 * the statistics. Linear in the number of pixels.
 */
export function connectedComponents(mask: Uint8Array, width: number, height: number): Components {
  if (mask.length < width * height) throw new Error(`connectedComponents: mask has ${mask.length} pixels, need ${width * height}`);
  const labels = new Int32Array(width * height);
  // parent[] of provisional labels; provisional label 0 is unused. At most one new label per pixel.
  let parent = new Int32Array(64);
  let next = 1;

  const find = (a: number): number => {
    let r = a;
    while (parent[r]! !== r) r = parent[r]!;
    // Path compression.
    while (parent[a]! !== r) {
      const p = parent[a]!;
      parent[a] = r;
      a = p;
    }
    return r;
  };
  const union = (a: number, b: number): number => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return ra;
    // Smaller root wins, so roots stay the earliest label (keeps output order = raster order).
    if (ra < rb) {
      parent[rb] = ra;
      return ra;
    }
    parent[ra] = rb;
    return rb;
  };

  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (mask[i] === 0) continue;
      let l = 0;
      // Already visited neighbours: W, NW, N, NE.
      if (x > 0 && labels[i - 1]! !== 0) l = labels[i - 1]!;
      if (y > 0) {
        const up = i - width;
        if (x > 0 && labels[up - 1]! !== 0) l = l === 0 ? labels[up - 1]! : union(l, labels[up - 1]!);
        if (labels[up]! !== 0) l = l === 0 ? labels[up]! : union(l, labels[up]!);
        if (x + 1 < width && labels[up + 1]! !== 0) l = l === 0 ? labels[up + 1]! : union(l, labels[up + 1]!);
      }
      if (l === 0) {
        if (next >= parent.length) {
          const grown = new Int32Array(parent.length * 2);
          grown.set(parent);
          parent = grown;
        }
        parent[next] = next;
        l = next++;
      }
      labels[i] = l;
    }
  }

  // Final labels 1..k in order of the roots (= order of first pixel in raster order).
  const final = new Int32Array(next);
  let k = 0;
  for (let l = 1; l < next; l++) {
    const r = find(l);
    if (r === l) final[l] = ++k;
  }
  for (let l = 1; l < next; l++) final[l] = final[find(l)]!;

  const list: Component[] = [];
  for (let c = 1; c <= k; c++) list.push({ label: c, area: 0, x0: width, y0: height, x1: -1, y1: -1, cx: 0, cy: 0 });
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const p = labels[i]!;
      if (p === 0) continue;
      const f = final[p]!;
      labels[i] = f;
      const c = list[f - 1]!;
      c.area++;
      c.cx += x;
      c.cy += y;
      if (x < c.x0) c.x0 = x;
      if (x > c.x1) c.x1 = x;
      if (y < c.y0) c.y0 = y;
      if (y > c.y1) c.y1 = y;
    }
  }
  for (const c of list) {
    c.cx /= c.area;
    c.cy /= c.area;
  }
  return { labels, list };
}
