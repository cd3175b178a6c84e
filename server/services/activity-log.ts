import type { Knex } from 'knex';
import { ActivityEvent } from '../models/activity-event';
import { nowIso } from '../models/base-model';
import type { Actor } from '../http/context';

export interface EventActor {
  type: 'user' | 'system' | 'token';
  id: string | null;
  ip: string | null;
  requestId: string | null;
}

export const eventActorOf = (actor: Actor): EventActor => ({
  type: 'user',
  id: actor.principal.userId,
  ip: actor.ip,
  requestId: actor.requestId,
});

export const SYSTEM_ACTOR: EventActor = { type: 'system', id: null, ip: null, requestId: null };

export interface ActivityInput {
  tenantId: string;
  action: string;
  actor: EventActor;
  subjectType: 'user' | 'tenant' | 'session';
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
