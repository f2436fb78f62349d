/** Fixed row height of the rows table: virtualisation needs every row the same height. */
export const ROW_HEIGHT_PX = 32;
/** Header row height, sticky at the top of the scroll container. */
export const HEADER_HEIGHT_PX = 36;
/** Rows per request: a screenful is ~15 rows, so one page covers many screens of scrolling. */
export const PAGE_SIZE = 200;
/**
 * Browsers cap an element's height (Firefox near 17.9 million px, Chromium near 33.5 million);
 * past this the scroll height is compressed and scrolling maps onto rows proportionally.
 */
export const MAX_BODY_PX = 15_000_000;

/** Offsets of the pages (multiples of pageSize) that hold rows startIndex..endIndex inclusive. */
export function pageOffsetsFor(startIndex: number, endIndex: number, pageSize = PAGE_SIZE): number[] {
  if (endIndex < startIndex || endIndex < 0) return [];
  const first = Math.floor(Math.max(0, startIndex) / pageSize) * pageSize;
  const offsets: number[] = [];
  for (let offset = first; offset <= endIndex; offset += pageSize) offsets.push(offset);
  return offsets;
}

/**
 * The rendered body height and the factor from the element's scrollTop to the virtual offset.
 * With no compression the factor is 1; with it, scrolling to the element's end reaches the last row.
 */
export function scrollScale(
  rowCount: number,
  viewportPx: number,
  rowHeightPx = ROW_HEIGHT_PX,
  headerPx = HEADER_HEIGHT_PX,
  maxBodyPx = MAX_BODY_PX,
): { bodyPx: number; scale: number } {
  const fullBody = rowCount * rowHeightPx;
  if (fullBody <= maxBodyPx) return { bodyPx: fullBody, scale: 1 };
  const virtualMax = headerPx + fullBody - viewportPx;
  const elementMax = headerPx + maxBodyPx - viewportPx;
  return { bodyPx: maxBodyPx, scale: elementMax > 0 ? virtualMax / elementMax : 1 };
}

/** Where a virtual row sits inside the rendered body, given the element's and the virtual scroll offsets. */
export function rowTopPx(
  virtualStart: number,
  virtualOffset: number,
  elementOffset: number,
  headerPx = HEADER_HEIGHT_PX,
) {
  return elementOffset + (virtualStart - virtualOffset) - headerPx;
}

/** Header clicks cycle: ascending, descending, back to file order. `-name` is descending. */
export function nextSort(current: string | undefined, column: string): string | undefined {
  if (current === column) return `-${column}`;
  if (current === `-${column}`) return undefined;
  return column;
}

export function sortStateOf(sort: string | undefined, column: string): 'ascending' | 'descending' | 'none' {
  if (sort === column) return 'ascending';
  if (sort === `-${column}`) return 'descending';
  return 'none';
}
