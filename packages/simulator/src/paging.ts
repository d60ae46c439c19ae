// Paging and sorting as ServiceTitan's list endpoints do them: 1-based pages, 50 per page by
// default, `hasMore`, `totalCount` only on request, and `sort=+Field` / `-Field`.
import { HttpProblem, validationProblem } from "./errors.ts";

export const DEFAULT_PAGE_SIZE = 50;

export interface Paging {
  page: number;
  pageSize: number;
  includeTotal: boolean;
}

/** The request's paging, checked against the configured maximum page size. */
export function readPaging(
  query: { page?: number | undefined; pageSize?: number | undefined; includeTotal?: boolean | undefined },
  maxPageSize: number,
): Paging {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
  const errors: Record<string, string[]> = {};
  if (page < 1) errors.page = ["The page must be 1 or greater."];
  if (pageSize < 1 || pageSize > maxPageSize)
    errors.pageSize = [`The pageSize must be between 1 and ${maxPageSize}.`];
  if (Object.keys(errors).length > 0) throw validationProblem(errors);
  return { page, pageSize, includeTotal: query.includeTotal === true };
}

/** ServiceTitan's paged envelope over already filtered and sorted records. */
export function pageOf<T>(items: readonly T[], { page, pageSize, includeTotal }: Paging) {
  const start = (page - 1) * pageSize;
  return {
    page,
    pageSize,
    hasMore: items.length > start + pageSize,
    totalCount: includeTotal ? items.length : null,
    data: items.slice(start, start + pageSize),
  };
}

export type SortKey<T> = (item: T) => number | string;

/**
 * Sorts by `sort` ("+Field", "-Field" or "Field"; field names case-insensitive). A literal "+"
 * in a query string decodes to a space, so a leading space also means ascending. Ties keep id
 * order so pages never overlap. Unknown fields are a 400 listing the available ones.
 */
export function sortRecords<T extends { id?: number | null }>(
  items: readonly T[],
  sort: string | undefined,
  fields: Record<string, SortKey<T>>,
  parameter = "sort",
): T[] {
  const byId = (a: T, b: T) => (a.id ?? 0) - (b.id ?? 0);
  if (sort === undefined || sort.trim() === "") return [...items].sort(byId);
  const text = sort.replace(/^\s+/, "+");
  const descending = text.startsWith("-");
  const name = text.replace(/^[+-]/, "").trim().toLowerCase();
  const entry = Object.entries(fields).find(([field]) => field.toLowerCase() === name);
  if (!entry) {
    throw new HttpProblem(400, "One or more validation errors occurred.", {
      errors: {
        [parameter]: [
          `Sorting by '${name}' is not supported. Available fields: ${Object.keys(fields).join(", ")}.`,
        ],
      },
    });
  }
  const key = entry[1];
  const direction = descending ? -1 : 1;
  return [...items].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -direction : ka > kb ? direction : byId(a, b);
  });
}
