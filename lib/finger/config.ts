// fingerd's settings in netlab.config.ts (the `finger` section).
// Owned by the finger lab; lib/config merges it into the whole configuration.

export interface FingerConfig {
  /** Where answers come from: pure TypeScript, the machine's finger binary, or system when it exists. */
  backend: 'auto' | 'builtin' | 'system';
  /** RFC 1288 §3.2.1: forwarding (user@host@host) is refused unless this is on. */
  allowForwarding: boolean;
}

export const fingerDefaults: FingerConfig = {
  backend: 'auto',
  allowForwarding: false,
};
