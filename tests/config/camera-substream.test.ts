// A camera's sub-stream (subUrl): the low-resolution second stream the console's grid tiles play.
// Optional; when given it must be a stream URL and a different stream from url.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../../config/index.ts';
import { formatProblem } from '../../core/index.ts';
import { scratchDir } from '../helpers.ts';

const VALID = `site: { id: s1, name: 测试考点, province: "440000", city: "440100" }
rooms:
  - { id: R1, name: 一号考场, seats: { rows: 2, columns: 3 } }
cameras:
`;

function load(t: Test, cameras: string): Config {
  const file = join(scratchDir(t), 'config.yaml');
  writeFileSync(file, VALID + cameras);
  return loadConfig(file);
}

function problemsOf(t: Test, cameras: string): string[] {
  try {
    load(t, cameras);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map(formatProblem);
  }
  throw new Error('the config loaded, but it should have been refused');
}

t.test('a camera may name its sub-stream; one without keeps a single stream', async (t) => {
  const c = load(
    t,
    '  - { id: C1, name: 前方, room: R1, url: "rtsp://10.0.0.21/stream1", subUrl: "rtsp://10.0.0.21/stream2" }\n  - { id: C2, name: 后方, room: R1, url: "rtsp://10.0.0.22/stream1" }\n',
  );
  t.equal(c.cameras[0]!.subUrl, 'rtsp://10.0.0.21/stream2');
  t.equal(c.cameras[1]!.subUrl, undefined);
});

t.test('a sub-stream that is not a stream URL is refused, saying what is accepted', async (t) => {
  t.same(problemsOf(t, '  - { id: C1, name: 前方, room: R1, url: "rtsp://10.0.0.21/stream1", subUrl: "10.0.0.21/stream2" }\n'), [
    `cameras[0].subUrl: must be the camera's sub-stream for live tiles: rtsp://, rtmp://, http(s):// or file:// (got "10.0.0.21/stream2")`,
  ]);
});

t.test('a sub-stream that is the main stream again is refused', async (t) => {
  t.same(problemsOf(t, '  - { id: C1, name: 前方, room: R1, url: "rtsp://10.0.0.21/stream1", subUrl: "rtsp://10.0.0.21/stream1" }\n'), [
    `cameras[0].subUrl: is the same stream as url: give the camera's second (low-resolution) stream, or leave subUrl out (got "rtsp://10.0.0.21/stream1")`,
  ]);
});

t.test('a misspelt subUrl is an error that suggests the right name', async (t) => {
  const problems = problemsOf(t, '  - { id: C1, name: 前方, room: R1, url: "rtsp://10.0.0.21/stream1", subURL: "rtsp://10.0.0.21/stream2" }\n');
  t.equal(problems.length, 1);
  t.match(problems[0], /^cameras\[0\]\.subURL: .*subUrl/);
});
