/** Every migration, in order. `npm run migration:generate` appends to this list. */
import { Foundation1795766155901 } from './1795766155901-Foundation.js';
import { SearchAndAuditGuards1795766155902 } from './1795766155902-SearchAndAuditGuards.js';
import { EnrolmentDepositsBids1795766581346 } from './1795766581346-EnrolmentDepositsBids.js';
// <imports>

export const MIGRATIONS = [
  Foundation1795766155901,
  SearchAndAuditGuards1795766155902,
  EnrolmentDepositsBids1795766581346,
  // <list>
];
