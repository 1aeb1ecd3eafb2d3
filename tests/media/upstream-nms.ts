// A real RTMP platform for the upstream tests: node-media-server v4 on loopback, recording every
// stream it receives as FLV under DIR. Run as its own process (`node --import tsx upstream-nms.ts
// PORT DIR`) so that a test can kill it like a platform that goes down, and start it again.
import { createRequire } from 'node:module';

// node-media-server is CommonJS without type declarations.
const NodeMediaServer = createRequire(import.meta.url)('node-media-server') as new (config: object) => { run(): Promise<void> };

const [port, dir] = process.argv.slice(2);
if (!port || !dir) {
  process.stderr.write('usage: upstream-nms.ts PORT DIR\n');
  process.exit(2);
}
const nms = new NodeMediaServer({
  bind: '127.0.0.1',
  rtmp: { port: Number(port), chunk_size: 60000, gop_cache: true, ping: 30, ping_timeout: 60 },
  record: { path: `${dir}/record`, auto: true },
  store: { path: `${dir}/store` },
  webadmin: { enable: false },
});
void nms.run();
process.stdout.write('ready\n');
