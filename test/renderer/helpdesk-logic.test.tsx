// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { statusActions, STATUS_TRANSITIONS, type Viewer } from '../../desktop/renderer/src/screens/user/status-actions';
import { STATUS_TRANSITIONS as SERVER_TRANSITIONS } from '../../server/services/user-service';
import { roleCan, type Permission } from '../../shared/permissions';
import type { Role, UserStatus } from '../../shared/schemas/user';
import { nextSort, readSearchState, searchBody, writeSearchState } from '../../desktop/renderer/src/screens/find/search-state';
import { mergeEvents } from '../../desktop/renderer/src/screens/user/use-activity';
import { profileChanges, profileValues } from '../../desktop/renderer/src/screens/user/profile-fields';
import type { User } from '../../shared/client/users-api';
import type { ActivityEvent } from '../../shared/client/activity-api';

const viewer = (role: Role, userId = 'me'): Viewer => ({ role, userId, can: (p: Permission) => roleCan(role, p) });
const target = (status: UserStatus, role: Role = 'user', id = 'them') => ({ id, role, status });
const ids = (v: Viewer, t: ReturnType<typeof target>) => statusActions(v, t).map((a) => a.id);

describe('status actions offered on a user', () => {
  it('follow the server\'s own state machine', () => {
    expect(STATUS_TRANSITIONS).toEqual(SERVER_TRANSITIONS);
  });

  it('are those allowed from the status', () => {
    const helpdesk = viewer('helpdesk');
    expect(ids(helpdesk, target('ACTIVE'))).toEqual(['lock', 'disable']);
    expect(ids(helpdesk, target('LOCKED'))).toEqual(['unlock', 'disable']);
    expect(ids(helpdesk, target('DISABLED'))).toEqual(['enable']);
    expect(ids(helpdesk, target('PENDING_APPROVAL'))).toEqual(['enable', 'disable']);
    expect(ids(helpdesk, target('PENDING_EMAIL_VERIFICATION'))).toEqual(['enable', 'disable']);
  });

  it('every offered action is a transition the server accepts, to the status it names', () => {
    for (const status of Object.keys(STATUS_TRANSITIONS) as UserStatus[]) {
      for (const action of statusActions(viewer('tenant_admin'), target(status))) {
        expect(SERVER_TRANSITIONS[status]).toContain(action.to);
      }
    }
  });

  it('need the permission: a viewer or a plain user gets none', () => {
    expect(ids(viewer('viewer'), target('LOCKED'))).toEqual([]);
    expect(ids(viewer('user'), target('ACTIVE'))).toEqual([]);
  });

  it('are never offered on oneself or on an account that outranks the viewer', () => {
    expect(ids(viewer('tenant_admin', 'same'), target('ACTIVE', 'user', 'same'))).toEqual([]);
    expect(ids(viewer('helpdesk'), target('LOCKED', 'tenant_admin'))).toEqual([]);
    expect(ids(viewer('super_admin'), target('LOCKED', 'tenant_admin'))).toEqual(['unlock', 'disable']);
  });

  it('unlock goes through the status route (reason, sign-out) when the role may change status', () => {
    const unlock = statusActions(viewer('helpdesk'), target('LOCKED')).find((a) => a.id === 'unlock')!;
    expect(unlock).toMatchObject({ to: 'ACTIVE', via: 'status' });
    const unlockOnly: Viewer = { role: 'helpdesk', userId: 'me', can: (p) => p === 'users:unlock' };
    expect(statusActions(unlockOnly, target('LOCKED'))).toEqual([expect.objectContaining({ id: 'unlock', via: 'unlock' })]);
  });
});

describe('the Find screen\'s search state', () => {
  it('round-trips through the URL and ignores what it does not know', () => {
    const state = readSearchState(new URLSearchParams('q=ann&status=LOCKED&role=nope&mfa=off&ou=not-a-uuid&sort=email&order=desc'));
    expect(state).toMatchObject({ q: 'ann', status: 'LOCKED', role: null, mfa: false, ou: null, sortBy: 'email', sortOrder: 'desc' });
    expect(readSearchState(writeSearchState(state))).toEqual(state);
  });

  it('becomes the body of POST /api/v1/users/search', () => {
    const state = readSearchState(new URLSearchParams('q=%20ann%20&status=LOCKED&mfa=on&ou=0190a0b0-0000-7000-8000-000000000001'));
    expect(searchBody(state, 3, 50)).toEqual({
      q: 'ann',
      filters: { status: 'LOCKED', mfa_enabled: true, ou_id: '0190a0b0-0000-7000-8000-000000000001', include_descendants: true },
      page: 3,
      per_page: 50,
    });
    expect(searchBody(readSearchState(new URLSearchParams('')), 1, 50)).toEqual({ filters: {}, page: 1, per_page: 50 });
  });

  it('a header click sorts ascending, then descending, then not at all', () => {
    let state = readSearchState(new URLSearchParams(''));
    state = { ...state, ...nextSort(state, 'email') };
    expect([state.sortBy, state.sortOrder]).toEqual(['email', 'asc']);
    state = { ...state, ...nextSort(state, 'email') };
    expect([state.sortBy, state.sortOrder]).toEqual(['email', 'desc']);
    state = { ...state, ...nextSort(state, 'email') };
    expect(state.sortBy).toBeNull();
    expect(nextSort({ ...state, sortBy: 'email', sortOrder: 'desc' }, 'status')).toEqual({ sortBy: 'status', sortOrder: 'asc' });
  });
});

describe('the live timeline', () => {
  const event = (id: string, action = 'user.updated') => ({ id, action }) as ActivityEvent;
  it('shows each event once, newest first, whether it came from a page or the stream', () => {
    const merged = mergeEvents([event('0190-0003'), event('0190-0002')], [[event('0190-0002'), event('0190-0001')], [event('0190-0000')]]);
    expect(merged.map((e) => e.id)).toEqual(['0190-0003', '0190-0002', '0190-0001', '0190-0000']);
  });
});

describe('the profile form', () => {
  const user = { email: 'a@example.com', first_name: 'Ann', last_name: null, display_name: 'Ann', username: null, phone: null, job_title: 'Clerk', company: null, locale: 'en', timezone: 'UTC', ou_id: null, role: 'user' } as unknown as User;
  it('sends only what changed, cleared optional fields as null', () => {
    const values = { ...profileValues(user), last_name: ' Lee ', job_title: '', phone: '' };
    expect(profileChanges(user, values)).toEqual({ last_name: 'Lee', job_title: null });
    expect(profileChanges(user, profileValues(user))).toEqual({});
  });
  it('never sends a required field as null', () => {
    expect(profileChanges(user, { ...profileValues(user), email: '' })).toEqual({ email: '' });
  });
});
