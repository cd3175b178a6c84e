import type { Knex } from 'knex';
import { ActivityEvent } from '../models/activity-event';
import { nowIso } from '../models/base-model';
import type { Actor } from '../http/context';
import { principalId } from '../auth/principal';

export interface EventActor {
  type: 'user' | 'system' | 'token' | 'application';
  id: string | null;
  ip: string | null;
  requestId: string | null;
}

const ACTOR_TYPES = { user: 'user', application: 'application', api_token: 'token' } as const;

export const eventActorOf = (actor: Actor): EventActor => ({
  type: ACTOR_TYPES[actor.principal.kind],
  id: principalId(actor.principal),
  ip: actor.ip,
  requestId: actor.requestId,
});

export const SYSTEM_ACTOR: EventActor = { type: 'system', id: null, ip: null, requestId: null };

export interface ActivityInput {
  tenantId: string;
  action: string;
  actor: EventActor;
  subjectType: 'user' | 'tenant' | 'partner' | 'ou' | 'group' | 'identity_provider' | 'application' | 'api_token' | 'session' | 'request';
  subjectId: string | null;
  details?: Record<string, unknown>;
}

/** Appends one event; callers pass their transaction so the event and the change land together. */
export async function recordActivity(trx: Knex, input: ActivityInput): Promise<void> {
  await ActivityEvent.query(trx).insert({
    tenantId: input.tenantId,
    action: input.action,
    actorType: input.actor.type,
    actorId: input.actor.id,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    details: input.details ?? {},
    ip: input.actor.ip,
    requestId: input.actor.requestId,
    createdAt: nowIso(),
  });
}
