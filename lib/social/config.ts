// The social-graph settings in netlab.config.ts (the `social` section).
// Owned by the social lab; lib/config merges it into the whole configuration.

export interface SocialConfig {
  /** Which network to ask when --provider is not given. */
  provider: 'x' | 'bluesky' | 'fixture' | 'auto';
}

export const socialDefaults: SocialConfig = {
  provider: 'auto',
};
