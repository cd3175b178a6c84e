import pkg from '../package.json' with { type: 'json' };

export const ROSTER_VERSION: string = pkg.version;
