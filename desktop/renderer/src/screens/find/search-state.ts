import type { UserSearch } from '../../../../../shared/client/users-api';
import { IdentitySource, Role, USER_SORT_FIELDS, UserStatus } from '../../../../../shared/schemas/user';

export type SortField = (typeof USER_SORT_FIELDS)[number];

/** Everything that decides the result list; kept in the URL so Back returns to the same list. */
export interface SearchState {
  q: string;
  status: UserStatus | null;
  role: Role | null;
  ou: string | null;
  group: string | null;
  mfa: boolean | null;
  source: IdentitySource | null;
  sortBy: SortField | null;
  sortOrder: 'asc' | 'desc';
}

const oneOf = <T extends string>(allowed: readonly T[], value: string | null): T | null => (value && (allowed as readonly string[]).includes(value) ? (value as T) : null);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function readSearchState(params: URLSearchParams): SearchState {
  const mfa = params.get('mfa');
  return {
    q: params.get('q') ?? '',
    status: oneOf(UserStatus.options, params.get('status')),
    role: oneOf(Role.options, params.get('role')),
    ou: UUID.test(params.get('ou') ?? '') ? params.get('ou') : null,
    group: UUID.test(params.get('group') ?? '') ? params.get('group') : null,
    mfa: mfa === 'on' ? true : mfa === 'off' ? false : null,
    source: oneOf(IdentitySource.options, params.get('source')),
    sortBy: oneOf(USER_SORT_FIELDS, params.get('sort')),
    sortOrder: params.get('order') === 'desc' ? 'desc' : 'asc',
  };
}

export function writeSearchState(state: SearchState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  if (state.status) params.set('status', state.status);
  if (state.role) params.set('role', state.role);
  if (state.ou) params.set('ou', state.ou);
  if (state.group) params.set('group', state.group);
  if (state.mfa !== null) params.set('mfa', state.mfa ? 'on' : 'off');
  if (state.source) params.set('source', state.source);
  if (state.sortBy) {
    params.set('sort', state.sortBy);
    params.set('order', state.sortOrder);
  }
  return params;
}

/** The body of POST /api/v1/users/search for one page of the list. */
export function searchBody(state: SearchState, page: number, perPage: number): UserSearch {
  const filters: NonNullable<UserSearch['filters']> = {};
  if (state.status) filters.status = state.status;
  if (state.role) filters.role = state.role;
  if (state.ou) Object.assign(filters, { ou_id: state.ou, include_descendants: true });
  if (state.group) filters.group_id = state.group;
  if (state.mfa !== null) filters.mfa_enabled = state.mfa;
  if (state.source) filters.identity_source = state.source;
  const q = state.q.trim();
  return {
    ...(q ? { q } : {}),
    filters,
    ...(state.sortBy ? { sort_by: state.sortBy, sort_order: state.sortOrder } : {}),
    page,
    per_page: perPage,
  };
}

/** Clicking a column header: sort by it ascending, then descending, then back to the default order. */
export function nextSort(state: SearchState, field: SortField): Pick<SearchState, 'sortBy' | 'sortOrder'> {
  if (state.sortBy !== field) return { sortBy: field, sortOrder: 'asc' };
  if (state.sortOrder === 'asc') return { sortBy: field, sortOrder: 'desc' };
  return { sortBy: null, sortOrder: 'asc' };
}
