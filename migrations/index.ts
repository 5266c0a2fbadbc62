/** Every migration, in order. `npm run migration:generate` appends to this list. */
import { Foundation1795766155901 } from './1795766155901-Foundation.js';
import { SearchAndAuditGuards1795766155902 } from './1795766155902-SearchAndAuditGuards.js';
import { EnrolmentDepositsBids1795766581346 } from './1795766581346-EnrolmentDepositsBids.js';
import { Valuation1795767252435 } from './1795767252435-Valuation.js';
import { Settlement1795767342948 } from './1795767342948-Settlement.js';
import { HoldConversion1795767774162 } from './1795767774162-HoldConversion.js';
import { RefreshTokens1795768089178 } from './1795768089178-RefreshTokens.js';
import { PgBossSchema1795769000000 } from './1795769000000-PgBossSchema.js';
import { JobQueues1795769000001 } from './1795769000001-JobQueues.js';
import { StripeCustomers1795787351854 } from './1795787351854-StripeCustomers.js';
import { BalanceClientSecret1795790000000 } from './1795790000000-BalanceClientSecret.js';
import { RefreshTokenReuse1795791000000 } from './1795791000000-RefreshTokenReuse.js';
import { RefreshTokenFamily1795792000000 } from './1795792000000-RefreshTokenFamily.js';
import { LotsHotUpdates1795793000000 } from './1795793000000-LotsHotUpdates.js';
import { DeviceLogins1795794000000 } from './1795794000000-DeviceLogins.js';
// <imports>

export const MIGRATIONS = [
  Foundation1795766155901,
  SearchAndAuditGuards1795766155902,
  EnrolmentDepositsBids1795766581346,
  Valuation1795767252435,
  Settlement1795767342948,
  HoldConversion1795767774162,
  RefreshTokens1795768089178,
  PgBossSchema1795769000000,
  JobQueues1795769000001,
  StripeCustomers1795787351854,
  BalanceClientSecret1795790000000,
  RefreshTokenReuse1795791000000,
  RefreshTokenFamily1795792000000,
  LotsHotUpdates1795793000000,
  DeviceLogins1795794000000,
  // <list>
];
