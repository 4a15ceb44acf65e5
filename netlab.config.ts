// netlab's settings. Every key is optional: lib/config/define.ts has the defaults and their meaning.
// Order of precedence: defaults ← this file ← NETLAB_* environment variables ← command-line flags.
import { defineConfig } from './lib/config/define.ts';

export default defineConfig({
  host: '127.0.0.1',
  ports: { udp: 9875, tcp: 8016, finger: 7979 },
  // The lab's fingerd writes its pid to /tmp/finger.pid; uncomment to do the same.
  // pidFiles: { fingerd: '/tmp/finger.pid' },
});
