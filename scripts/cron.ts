// npm run cron: runs the authority's cron once against the running `npm run dev` stack (it also runs by
// itself every minute there): expires stale checkouts, releases lapsed holds, purges idle carts.
import { fireCron } from './lib/cron';

fireCron()
  .then((answer) => console.log(`cron: ${answer}`))
  .catch((error) => {
    console.error(`Could not reach the authority on port 8788 (is npm run dev running?): ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
