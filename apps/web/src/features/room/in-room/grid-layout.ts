/**
 * How the call's grid lays out `count` tiles in a `width`×`height` area: the columns and rows
 * that give each video the most room, fitting everyone on one page while every tile stays big
 * enough to see a face. (LiveKit's own grids need 560 px of width for a 2×2, so a phone held
 * upright got two people a page: "1 of 2" for a three-person call.)
 */
export interface GridLayout {
  columns: number;
  rows: number;
  /** Tiles on one page; more than this are paged. */
  maxTiles: number;
}

/** The smallest cell a tile may have before the grid pages instead. */
export const MIN_TILE = { width: 112, height: 84 };
/** Never more on one page than this, however large the screen. */
const MAX_PER_PAGE = 25;
const ASPECT = 16 / 9;

export function gridLayout(count: number, width: number, height: number, gap = 8): GridLayout {
  if (count <= 1 || width <= 0 || height <= 0) return { columns: 1, rows: 1, maxTiles: 1 };
  for (let perPage = Math.min(count, MAX_PER_PAGE); perPage >= 1; perPage--) {
    let best: (GridLayout & { score: number }) | null = null;
    for (let columns = 1; columns <= perPage; columns++) {
      const rows = Math.ceil(perPage / columns);
      // A column or row that this page would leave empty is no use.
      if ((columns - 1) * rows >= perPage) continue;
      const cellWidth = (width - gap * (columns - 1)) / columns;
      const cellHeight = (height - gap * (rows - 1)) / rows;
      if (cellWidth < MIN_TILE.width || cellHeight < MIN_TILE.height) continue;
      // The width of the largest 16:9 picture the cell holds.
      const score = Math.min(cellWidth, cellHeight * ASPECT);
      if (!best || score > best.score) best = { columns, rows, maxTiles: perPage, score };
    }
    if (best) return { columns: best.columns, rows: best.rows, maxTiles: best.maxTiles };
  }
  return { columns: 1, rows: 1, maxTiles: 1 };
}
