/**
 * Nested groups as recursive CTEs that run unchanged on SQLite and PostgreSQL. Group members are
 * users or groups; a user in a group is an (inherited) member of every group that contains it.
 * The anchors select from `groups` so PostgreSQL knows the parameter is a uuid.
 */

/** `sub(id)`: the group and every group nested in it, at any depth. */
export const GROUP_AND_DESCENDANTS_CTE = `sub(id) AS (
    SELECT id FROM groups WHERE id = ?
    UNION
    SELECT gm.member_group_id FROM group_members gm JOIN sub ON gm.group_id = sub.id WHERE gm.member_group_id IS NOT NULL
  )`;

/** Ids of the group and its descendants, as a subquery with one `?` (the group id). */
export const GROUP_AND_DESCENDANTS_IDS = `WITH RECURSIVE ${GROUP_AND_DESCENDANTS_CTE} SELECT id FROM sub`;

/**
 * A user's groups with the shortest distance to each: 0 is DIRECT, more is INHERITED. UNION, not
 * UNION ALL: a group reached along several paths of one length is kept once per length, so rows
 * stay within groups x depth; UNION ALL followed every path, and a lattice of nested groups
 * (each layer in both groups of the next) doubled the rows at every level. The depth bound ends
 * the walk whatever happens; cycles are refused on write.
 */
export const USER_EFFECTIVE_GROUPS_SQL = `WITH RECURSIVE anc(group_id, depth) AS (
    SELECT gm.group_id, 0 FROM group_members gm WHERE gm.user_id = ?
    UNION
    SELECT gm.group_id, anc.depth + 1 FROM group_members gm JOIN anc ON gm.member_group_id = anc.group_id WHERE anc.depth < 64
  )
  SELECT g.id AS group_id, g.name, MIN(anc.depth) AS depth FROM anc JOIN groups g ON g.id = anc.group_id
  GROUP BY g.id, g.name ORDER BY g.name, g.id`;

/** 1 when `ancestor` is `group` itself or contains it at any depth (two `?`: group, ancestor). */
export const CONTAINS_SQL = `WITH RECURSIVE ${GROUP_AND_DESCENDANTS_CTE} SELECT 1 AS hit FROM sub WHERE id = ? LIMIT 1`;

/**
 * `eff(id)`: users an application reaches, directly or through an assigned group at any depth
 * (three `?`: the application id, twice, then again for direct users).
 */
export const APPLICATION_EFFECTIVE_USERS_SQL = `WITH RECURSIVE sub(id) AS (
    SELECT aa.group_id FROM application_assignments aa WHERE aa.application_id = ? AND aa.group_id IS NOT NULL
    UNION
    SELECT gm.member_group_id FROM group_members gm JOIN sub ON gm.group_id = sub.id WHERE gm.member_group_id IS NOT NULL
  )
  SELECT u.id, u.email, u.username, u.display_name, u.status,
    CASE WHEN EXISTS (SELECT 1 FROM application_assignments d WHERE d.application_id = ? AND d.user_id = u.id) THEN 'DIRECT' ELSE 'GROUP' END AS assignment
  FROM users u
  WHERE u.tenant_id = ? AND u.deleted_at IS NULL AND (
    EXISTS (SELECT 1 FROM application_assignments d WHERE d.application_id = ? AND d.user_id = u.id)
    OR EXISTS (SELECT 1 FROM group_members gm WHERE gm.user_id = u.id AND gm.group_id IN (SELECT id FROM sub)))`;

/**
 * The applications a user reaches: assigned directly, or to any group that contains the user at
 * any depth (four `?`: user, user, tenant, user).
 */
export const USER_APPLICATIONS_SQL = `WITH RECURSIVE anc(group_id) AS (
    SELECT gm.group_id FROM group_members gm WHERE gm.user_id = ?
    UNION
    SELECT gm.group_id FROM group_members gm JOIN anc ON gm.member_group_id = anc.group_id
  )
  SELECT a.id, a.name, a.client_id,
    CASE WHEN EXISTS (SELECT 1 FROM application_assignments d WHERE d.application_id = a.id AND d.user_id = ?) THEN 'DIRECT' ELSE 'GROUP' END AS assignment
  FROM applications a
  WHERE a.tenant_id = ? AND (
    EXISTS (SELECT 1 FROM application_assignments d WHERE d.application_id = a.id AND d.user_id = ?)
    OR EXISTS (SELECT 1 FROM application_assignments g WHERE g.application_id = a.id AND g.group_id IN (SELECT group_id FROM anc)))
  ORDER BY a.name, a.id`;
