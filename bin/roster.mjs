#!/usr/bin/env node
// The `roster` command: runs the TypeScript CLI through tsx, as `npm start` runs the server.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../server/cli/main.ts', import.meta.url).href);
