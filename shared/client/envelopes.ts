/** The wire envelopes of ../../API.md: one object, a numbered page, or a cursor page. */
export interface Data<T> {
  data: T;
}

export interface Page<T> {
  data: T[];
  pagination: { page: number; per_page: number; total_items: number; total_pages: number };
}

export interface CursorPage<T> {
  data: T[];
  pagination: { per_page: number; next_cursor: string | null; has_more: boolean };
}
