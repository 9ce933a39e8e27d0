// npm run shop:sql -- <shop id>: prints the SQL that creates or updates a shop's row from its shop file, for
// `wrangler d1 execute commerce --remote`. The admin token is read from ADMIN_TOKEN (only its hash is printed).
import { readShopFiles, shopUpsertSql } from './lib/shops';

const shopId = process.argv[2];
const token = process.env.ADMIN_TOKEN;
const file = readShopFiles().find((f) => f.shop.id === shopId);
if (!file || !token || token.length < 32) {
  console.error('usage: ADMIN_TOKEN=<at least 32 random characters> npm run -s shop:sql -- <shop id in catalog/>');
  process.exit(1);
}
console.log(shopUpsertSql(file, token));
