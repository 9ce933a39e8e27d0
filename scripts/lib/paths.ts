import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Local D1 and Durable Object state of `npm run dev`; the same directory for every wrangler command. */
export const LOCAL_STATE = path.join(ROOT, '.wrangler/state');
export const CONFIGS = {
  frontDoor: path.join(ROOT, 'workers/front-door/wrangler.toml'),
  gateway: path.join(ROOT, 'workers/checkout-gateway/wrangler.toml'),
  authority: path.join(ROOT, 'wrangler.toml'),
} as const;
export const D1_DATABASE = 'commerce';
