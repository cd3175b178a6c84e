import { loadConfig } from './config';
import { createLogger } from './logger';
import { serve } from './cli/serve';

const config = loadConfig();
await serve(config, createLogger(config));
