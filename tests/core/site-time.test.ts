// The site's wall clock: zones with one fixed offset since 1992 are computed without ICU (a faster
// start), and must read exactly as ICU reads them; other zones and older instants still ask ICU.
import t from 'tap';
import { addMonths, localDate, localDateTime, localTime, parseInstant } from '../../core/index.ts';

const FIXED = ['Asia/Shanghai', 'Asia/Chongqing', 'Asia/Harbin', 'PRC', 'Asia/Hong_Kong', 'Asia/Macau', 'Asia/Taipei', 'UTC', 'Etc/UTC'];

/** ICU's reading of an instant, the way the site clock worked before the fixed-offset shortcut. */
function icuWall(ms: number, tz: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(ms))
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

// Instants from 1992 to 2099 with a fixed seed, plus the edges of days and years.
let seed = 19;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const instants = [Date.UTC(1992, 0, 1), Date.UTC(2026, 11, 31, 15, 59, 59), Date.UTC(2026, 11, 31, 16), Date.UTC(2028, 1, 28, 16, 30)];
for (let i = 0; i < 400; i++) instants.push(Math.floor(Date.UTC(1992, 0, 1) + random() * (Date.UTC(2099, 0, 1) - Date.UTC(1992, 0, 1))));

t.test('fixed-offset zones read as ICU reads them', async (t) => {
  for (const tz of FIXED) {
    const wrong = instants.filter((ms) => localDateTime(ms, tz) !== icuWall(ms, tz));
    t.same(
      wrong.map((ms) => new Date(ms).toISOString()),
      [],
      `${tz}: every instant`,
    );
    const ms = instants[1]!;
    t.equal(localDate(ms, tz), icuWall(ms, tz).slice(0, 10), `${tz}: localDate`);
    t.equal(localTime(ms, tz), icuWall(ms, tz).slice(11), `${tz}: localTime`);
  }
  t.equal(localDateTime(Date.UTC(2026, 11, 31, 16), 'Asia/Shanghai'), '2027-01-01 00:00', 'midnight of the new year in China');
});

t.test('wall times typed at the site become the same instants', async (t) => {
  t.equal(parseInstant('2026-03-01T09:00', 'Asia/Shanghai'), Date.UTC(2026, 2, 1, 1), 'nine in Beijing is one UTC');
  t.equal(parseInstant('2026-03-01 09:00:30', 'UTC'), Date.UTC(2026, 2, 1, 9, 0, 30));
  t.equal(addMonths(Date.UTC(2028, 1, 28, 16, 30), 12, 'Asia/Shanghai'), Date.UTC(2029, 1, 27, 16, 30), '29 February + 12 months is 28 February');
});

t.test('other zones and older instants still ask ICU', async (t) => {
  // Berlin keeps daylight saving: 12:00 UTC is 14:00 in July and 13:00 in January.
  t.equal(localTime(Date.UTC(2026, 6, 1, 12), 'Europe/Berlin'), '14:00');
  t.equal(localTime(Date.UTC(2026, 0, 1, 12), 'Europe/Berlin'), '13:00');
  // China kept daylight saving until 1991: 1 July 1990 at 12:00 UTC was 21:00 in Beijing.
  t.equal(localTime(Date.UTC(1990, 6, 1, 12), 'Asia/Shanghai'), icuWall(Date.UTC(1990, 6, 1, 12), 'Asia/Shanghai').slice(11));
  t.equal(localTime(Date.UTC(1990, 6, 1, 12), 'Asia/Shanghai'), '21:00');
  t.throws(() => localDate(Date.UTC(2026, 0, 1), 'Mars/Olympus'), RangeError, 'an unknown zone is refused as before');
});
