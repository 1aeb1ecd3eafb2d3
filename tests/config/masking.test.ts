// The config shown to an admin hides every secret, and what is secret is decided in the schema: a field
// whose name sounds secret must say so there (or say why it is not), so a new one cannot slip out.
import t from 'tap';
import { MASK, SECRET_SOUNDING_NAME, maskConfig, maskValue, markOf, schemaFields } from '../../config/index.ts';

t.test('every field whose name sounds secret is marked in the schema, secret or not', async (t) => {
  const fields = schemaFields();
  t.ok(fields.length > 50, `the walk reaches the whole schema (${fields.length} fields)`);
  const unmarked = fields.filter((f) => SECRET_SOUNDING_NAME.test(f.name) && markOf(f.schema) === undefined).map((f) => f.path);
  t.same(unmarked, [], 'mark each with secret: "value" | "url" | "push-url", or secret: false and why, in its section of config/sections/');
  const secrets = fields.filter((f) => markOf(f.schema)).map((f) => `${f.path}: ${markOf(f.schema)}`);
  t.same(
    secrets.sort(),
    [
      'bank.centralUrl: url',
      'cameras[].subUrl: url',
      'cameras[].url: url',
      'gb28181.platforms[].password: value',
      'reporting.url: url',
      'upstream[].url: push-url',
      'users[].password: value',
      'users[].passwordHash: value',
    ],
    'the secrets as marked today (a new one is added here on purpose, with a marker in tests/server/system-config.test.ts)',
  );
});

t.test('a URL keeps its scheme, host, port and user name, and loses its password, query values and fragment', async (t) => {
  t.equal(maskValue('rtsp://admin:Hik12345@10.0.0.5:554/Streaming/Channels/101', 'url'), `rtsp://admin:${MASK}@10.0.0.5:554/Streaming/Channels/101`);
  t.equal(maskValue('rtsp://10.0.0.5/cam?user=admin&password=x&flag', 'url'), `rtsp://10.0.0.5/cam?user=${MASK}&password=${MASK}&${MASK}`);
  t.equal(maskValue('https://bank.example/pkg#tok', 'url'), `https://bank.example/pkg#${MASK}`);
  t.equal(maskValue('rtmp://live.example:1935/app/STREAMKEY/{source}', 'push-url'), `rtmp://live.example:1935/app/${MASK}/{source}`);
  t.equal(maskValue('not a url at all', 'url'), MASK, 'what does not parse is hidden whole');
  t.equal(maskValue('anything', 'value'), MASK);
});

t.test('an unmarked secret-sounding field, and a URL with a password anywhere, are hidden all the same', async (t) => {
  const { config, masked } = maskConfig({
    site: { id: 's', name: 'n' },
    future: { apiToken: 'tok-123', note: 'see rtsp://u:pw-456@cam/x' },
    bank: { publicKeys: [{ id: 'k1', key: 'PUBLICKEYTEXT' }] },
    server: { tls: { cert: '/etc/c.pem', key: '/etc/k.pem' } },
  });
  const text = JSON.stringify(config);
  t.notMatch(text, /tok-123|pw-456/);
  t.match(text, /PUBLICKEYTEXT/, 'a public key is shown (marked secret: false)');
  t.match(text, /\/etc\/k\.pem/, 'the key FILE path is shown (marked secret: false)');
  t.same(masked.sort(), ['future.apiToken', 'future.note']);
});
