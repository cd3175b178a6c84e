import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScimFilter, stringifyScimFilter, type AttrPath, type CompareOp, type ScimFilter, type ScimValue } from '../../server/scim/filter-parser';
import { ScimError } from '../../server/scim/scim-error';

const p = (attribute: string, subAttribute?: string, schema?: string): AttrPath => ({
  ...(schema ? { schema } : {}),
  attribute,
  ...(subAttribute ? { subAttribute } : {}),
});
const cmp = (path: AttrPath, op: CompareOp, value: ScimValue): ScimFilter => ({ op, path, value });
const pr = (path: AttrPath): ScimFilter => ({ op: 'pr', path });
const and = (left: ScimFilter, right: ScimFilter): ScimFilter => ({ op: 'and', left, right });
const or = (left: ScimFilter, right: ScimFilter): ScimFilter => ({ op: 'or', left, right });
const not = (filter: ScimFilter): ScimFilter => ({ op: 'not', filter });
const vp = (path: AttrPath, filter: ScimFilter): ScimFilter => ({ op: 'valuePath', path, filter });

const TS = '2011-05-13T04:42:34Z';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

// Every example filter of RFC 7644 §3.4.2.2.
const RFC_EXAMPLES: [string, ScimFilter][] = [
  ['userName eq "bjensen"', cmp(p('userName'), 'eq', 'bjensen')],
  [`name.familyName co "O'Malley"`, cmp(p('name', 'familyName'), 'co', "O'Malley")],
  ['userName sw "J"', cmp(p('userName'), 'sw', 'J')],
  [`${CORE}:userName sw "J"`, cmp(p('userName', undefined, CORE), 'sw', 'J')],
  ['title pr', pr(p('title'))],
  [`meta.lastModified gt "${TS}"`, cmp(p('meta', 'lastModified'), 'gt', TS)],
  [`meta.lastModified ge "${TS}"`, cmp(p('meta', 'lastModified'), 'ge', TS)],
  [`meta.lastModified lt "${TS}"`, cmp(p('meta', 'lastModified'), 'lt', TS)],
  [`meta.lastModified le "${TS}"`, cmp(p('meta', 'lastModified'), 'le', TS)],
  ['title pr and userType eq "Employee"', and(pr(p('title')), cmp(p('userType'), 'eq', 'Employee'))],
  ['title pr or userType eq "Intern"', or(pr(p('title')), cmp(p('userType'), 'eq', 'Intern'))],
  [
    'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
    cmp(p('schemas'), 'eq', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'),
  ],
  [
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    and(cmp(p('userType'), 'eq', 'Employee'), or(cmp(p('emails'), 'co', 'example.com'), cmp(p('emails', 'value'), 'co', 'example.org'))),
  ],
  [
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    and(cmp(p('userType'), 'ne', 'Employee'), not(or(cmp(p('emails'), 'co', 'example.com'), cmp(p('emails', 'value'), 'co', 'example.org')))),
  ],
  ['userType eq "Employee" and (emails.type eq "work")', and(cmp(p('userType'), 'eq', 'Employee'), cmp(p('emails', 'type'), 'eq', 'work'))],
  [
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    and(cmp(p('userType'), 'eq', 'Employee'), vp(p('emails'), and(cmp(p('type'), 'eq', 'work'), cmp(p('value'), 'co', '@example.com')))),
  ],
  [
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    or(
      vp(p('emails'), and(cmp(p('type'), 'eq', 'work'), cmp(p('value'), 'co', '@example.com'))),
      vp(p('ims'), and(cmp(p('type'), 'eq', 'xmpp'), cmp(p('value'), 'co', '@foo.com'))),
    ),
  ],
];

const a = cmp(p('a'), 'eq', 1);
const b = cmp(p('b'), 'eq', 2);
const c = cmp(p('c'), 'eq', 3);

function invalid(filter: string): ScimError {
  try {
    parseScimFilter(filter);
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    const err = e as ScimError;
    expect(err.status).toBe(400);
    expect(err.code).toBe('invalid_request');
    expect(err.scimType).toBe('invalidFilter');
    return err;
  }
  throw new Error(`expected ${JSON.stringify(filter)} to be rejected`);
}

describe('SCIM filter parser', () => {
  it.each(RFC_EXAMPLES)('parses the RFC 7644 example %s', (filter, ast) => {
    expect(parseScimFilter(filter)).toEqual(ast);
  });

  it('binds not tighter than and, and and tighter than or', () => {
    expect(parseScimFilter('a eq 1 or b eq 2 and c eq 3')).toEqual(or(a, and(b, c)));
    expect(parseScimFilter('a eq 1 and b eq 2 or c eq 3')).toEqual(or(and(a, b), c));
    expect(parseScimFilter('not (a eq 1) and b eq 2')).toEqual(and(not(a), b));
    expect(parseScimFilter('not (a eq 1) or b eq 2 and c eq 3')).toEqual(or(not(a), and(b, c)));
    expect(parseScimFilter('(a eq 1 or b eq 2) and c eq 3')).toEqual(and(or(a, b), c));
    expect(parseScimFilter('a eq 1 and b eq 2 and c eq 3')).toEqual(and(and(a, b), c));
    expect(parseScimFilter('a eq 1 or b eq 2 or c eq 3')).toEqual(or(or(a, b), c));
    expect(parseScimFilter('((a eq 1))')).toEqual(a);
  });

  it('reads operators, keywords and literals case-insensitively and keeps attribute names as written', () => {
    expect(parseScimFilter('USERNAME EQ "X" AND Title PR OR NOT (active Eq TRUE)')).toEqual(
      or(and(cmp(p('USERNAME'), 'eq', 'X'), pr(p('Title'))), not(cmp(p('active'), 'eq', true))),
    );
  });

  it('reads JSON values: escapes, numbers, true, false, null', () => {
    expect(parseScimFilter('a eq "q\\"b\\\\s\\/\\u00e9\\n\\t"')).toEqual(cmp(p('a'), 'eq', 'q"b\\s/é\n\t'));
    expect(parseScimFilter('a eq "[x] and (y) or \\"z\\""')).toEqual(cmp(p('a'), 'eq', '[x] and (y) or "z"'));
    expect(parseScimFilter('a gt -1.5e3')).toEqual(cmp(p('a'), 'gt', -1500));
    expect(parseScimFilter('a eq 0')).toEqual(cmp(p('a'), 'eq', 0));
    expect(parseScimFilter('a eq false')).toEqual(cmp(p('a'), 'eq', false));
    expect(parseScimFilter('a eq null')).toEqual(cmp(p('a'), 'eq', null));
    expect(parseScimFilter('a eq ""')).toEqual(cmp(p('a'), 'eq', ''));
  });

  it('parses fully qualified paths, including the enterprise extension and sub-attributes', () => {
    const ent = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    expect(parseScimFilter(`${ent}:department eq "Sales"`)).toEqual(cmp(p('department', undefined, ent), 'eq', 'Sales'));
    expect(parseScimFilter(`${CORE}:name.familyName pr`)).toEqual(pr(p('name', 'familyName', CORE)));
    expect(parseScimFilter(`${ent}:manager.value eq "x"`)).toEqual(cmp(p('manager', 'value', ent), 'eq', 'x'));
  });

  it('reads attr[filter].sub as a value filter with the comparison inside', () => {
    expect(parseScimFilter('emails[type eq "work"].value co "@x.org"')).toEqual(
      vp(p('emails'), and(cmp(p('type'), 'eq', 'work'), cmp(p('value'), 'co', '@x.org'))),
    );
    expect(parseScimFilter('emails[not (type eq "home")].value pr')).toEqual(vp(p('emails'), and(not(cmp(p('type'), 'eq', 'home')), pr(p('value')))));
  });

  it('takes any whitespace between tokens and none around brackets', () => {
    expect(parseScimFilter('  emails[type eq "work"]and(a eq 1)  ')).toEqual(and(vp(p('emails'), cmp(p('type'), 'eq', 'work')), a));
    expect(parseScimFilter('a\teq\n1')).toEqual(a);
  });

  it.each([
    '',
    '   ',
    'userName',
    'userName eq',
    'userName eq bjensen',
    'userName equals "x"',
    'userName eq "x" extra',
    'userName eq "x" and',
    'and userName eq "x"',
    '(userName eq "x"',
    'userName eq "x")',
    'userName eq "unterminated',
    'userName eq "bad \\x escape"',
    'userName eq "raw\u0001control"',
    'userName eq \'single\'',
    'userName eq 01',
    'userName eq 1e999',
    'userName eq tru',
    'not userName eq "x"',
    'emails[type eq "work"',
    'emails[type eq "work"]]',
    'emails[value[type eq "x"] pr]',
    'name.familyName[x eq "y"]',
    'emails[]',
    'emails[type eq "work"].',
    '1abc eq "x"',
    'a.b.c eq "x"',
    'user name eq "x"',
    'userName eq "x" && title pr',
    'userName pr "x"',
  ])('rejects %j as invalidFilter', (filter) => {
    expect(invalid(filter).message.length).toBeGreaterThan(0);
  });

  it('says where the error is', () => {
    expect(invalid('userName eq "x" and title zz "y"').message).toMatch(/position 27.*operator.*title.*"zz"/);
  });

  it('bounds nesting, length and the number of comparisons', () => {
    invalid(`${'('.repeat(40)}a pr${')'.repeat(40)}`);
    invalid(`a eq "${'x'.repeat(5000)}"`);
    invalid(Array.from({ length: 101 }, (_, i) => `a${i} pr`).join(' or '));
    expect(parseScimFilter(Array.from({ length: 100 }, (_, i) => `a${i} pr`).join(' or ')).op).toBe('or');
  });

  describe('round trips', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,8}$/);
    const path = fc.record(
      {
        schema: fc.constantFrom(CORE, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'),
        attribute: name,
        subAttribute: name,
      },
      { requiredKeys: ['attribute'] },
    );
    const simplePath = fc.record({ attribute: name });
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
      fc.boolean(),
      fc.constant(null),
    );
    const op = fc.constantFrom<CompareOp>('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le');
    const leaf = (pathArb: fc.Arbitrary<AttrPath>) =>
      fc.oneof(
        fc.record({ op, path: pathArb, value }) as fc.Arbitrary<ScimFilter>,
        pathArb.map((pa) => pr(pa)),
      );
    const tree = (leafArb: fc.Arbitrary<ScimFilter>, depth: number) =>
      fc.letrec<{ f: ScimFilter }>((tie) => ({
        f: fc.oneof(
          { depthSize: 'small', maxDepth: depth },
          leafArb,
          fc.record({ op: fc.constantFrom<'and' | 'or'>('and', 'or'), left: tie('f'), right: tie('f') }) as fc.Arbitrary<ScimFilter>,
          tie('f').map((f) => not(f)),
        ),
      })).f;
    const filter = fc.letrec<{ f: ScimFilter }>((tie) => ({
      f: fc.oneof(
        { depthSize: 'small', maxDepth: 4 },
        leaf(path),
        fc.tuple(simplePath, tree(leaf(simplePath), 2)).map(([pa, f]) => vp(pa, f)),
        fc.record({ op: fc.constantFrom<'and' | 'or'>('and', 'or'), left: tie('f'), right: tie('f') }) as fc.Arbitrary<ScimFilter>,
        tie('f').map((f) => not(f)),
      ),
    })).f;

    it('parse(stringify(ast)) is ast', () => {
      fc.assert(
        fc.property(filter, (ast) => {
          expect(parseScimFilter(stringifyScimFilter(ast))).toEqual(ast);
        }),
        { numRuns: 300 },
      );
    });

    it('never throws anything but invalidFilter on arbitrary input', () => {
      const pieces = fc.constantFrom('userName', 'emails', '[', ']', '(', ')', ' ', 'eq', 'and', 'or', 'not', 'pr', '"x"', '1', '.value', 'true', '"', '\\');
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.array(pieces, { maxLength: 12 }).map((xs) => xs.join(' '))), (input) => {
          try {
            parseScimFilter(input);
          } catch (e) {
            expect(e).toBeInstanceOf(ScimError);
            expect((e as ScimError).scimType).toBe('invalidFilter');
          }
        }),
        { numRuns: 500 },
      );
    });
  });
});
