// netlab's settings. Every key is optional: lib/config/define.ts has the defaults (the only place
// they are written) and their meaning. Uncomment what you want to change.
// Order of precedence: defaults ← this file ← NETLAB_* environment variables ← command-line flags.
import { defineConfig } from './lib/config/define.ts';

export default defineConfig({
  // host: '0.0.0.0', // servers reachable from other machines (default 127.0.0.1, loopback only)
  // ports: { finger: 79 }, // a service's port, by its short name
  // The lab's fingerd writes its pid to /tmp/finger.pid; uncomment to do the same.
  // pidFiles: { fingerd: '/tmp/finger.pid' },
});
