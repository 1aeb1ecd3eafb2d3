// `terminals: perSeat` on a room: 25–100 exam PCs without a config line each. The PC at seat 07 of
// R101 is R101-07; explicit terminals: lines still work beside it, and a clash between the two is
// named at the line, with the shorthand that also claims the id or the seat.
import t from 'tap';
import { parseConfig, ConfigError } from '../../config/index.ts';
import { formatProblem } from '../../core/index.ts';

const SITE = `site: { id: s1, name: 测试考点, province: "440000", city: "440100" }\n`;
const rooms = (r1Extra = '', r2Extra = '') => `rooms:
  - { id: R1, name: 一号考场, seats: { rows: 2, columns: 3 }${r1Extra} }
  - { id: R2, name: 二号考场, seats: { rows: 1, columns: 2 }${r2Extra} }
`;

function problemsOf(text: string): string[] {
  try {
    parseConfig(text);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map(formatProblem);
  }
  throw new Error('the config loaded, but it should have been refused');
}

t.test('a perSeat room has one terminal per seat, ids ROOM-SEAT, row by row', async (t) => {
  const c = parseConfig(SITE + rooms(', terminals: perSeat'));
  t.same(
    c.terminals.map((x) => `${x.id}@${x.room}/${x.seat}`),
    ['R1-01@R1/01', 'R1-02@R1/02', 'R1-03@R1/03', 'R1-04@R1/04', 'R1-05@R1/05', 'R1-06@R1/06'],
  );
});

t.test('a room of 100 seats or more gets three-digit seats and ids', async (t) => {
  const c = parseConfig(`${SITE}rooms:\n  - { id: BIG, name: 大考场, seats: { rows: 10, columns: 10 }, terminals: perSeat }\n`);
  t.equal(c.terminals.length, 100);
  t.same([c.terminals[0]!.id, c.terminals[99]!.id], ['BIG-001', 'BIG-100']);
});

t.test('explicit terminals of other rooms still work beside the shorthand', async (t) => {
  const c = parseConfig(`${SITE}${rooms(', terminals: perSeat')}terminals:\n  - { id: T9, room: R2, seat: "01" }\n`);
  t.same(
    c.terminals.map((x) => x.id),
    ['T9', 'R1-01', 'R1-02', 'R1-03', 'R1-04', 'R1-05', 'R1-06'],
  );
});

t.test('an explicit line on a seat the shorthand fills is refused, naming the line and the shorthand', async (t) => {
  t.same(problemsOf(`${SITE}${rooms(', terminals: perSeat')}terminals:\n  - { id: T1, room: R1, seat: "02" }\n`), [
    'terminals[0]: room R1 says terminals: perSeat, which already puts R1-02 at seat 02; remove this line or the room\'s shorthand (got "T1")',
  ]);
});

t.test("an explicit id equal to a perSeat PC's id is refused at the line", async (t) => {
  t.same(problemsOf(`${SITE}${rooms(', terminals: perSeat')}terminals:\n  - { id: R1-03, room: R2, seat: "01" }\n`), [
    'terminals[0].id: is also the id that rooms[0].terminals (room R1: terminals: perSeat) gives its PC at seat 03; pick another id (got "R1-03")',
  ]);
});

t.test('any other value is refused with what is allowed', async (t) => {
  const problems = problemsOf(SITE + rooms(', terminals: all'));
  t.equal(problems.length, 1);
  t.match(problems[0], /^rooms\[0\]\.terminals: .*perSeat/);
});
