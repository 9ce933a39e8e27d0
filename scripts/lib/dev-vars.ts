import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths';

const DEV_VARS = path.join(ROOT, '.dev.vars');

/** Creates .dev.vars from the example on a fresh clone; never overwrites one. */
export function ensureDevVars(): void {
  if (existsSync(DEV_VARS)) return;
  copyFileSync(path.join(ROOT, '.dev.vars.example'), DEV_VARS);
  console.log('Created .dev.vars from .dev.vars.example');
}

/** The KEY="value" lines of .dev.vars (the dotenv subset wrangler reads). */
export function readDevVars(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(DEV_VARS, 'utf8').split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    vars[match[1]!] = match[2]!.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
  }
  return vars;
}
