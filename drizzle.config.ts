import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './workers/commerce-authority/src/db/schema.ts',
  out: './d1-migrations',
});
