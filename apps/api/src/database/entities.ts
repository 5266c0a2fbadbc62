import { Agency } from '../agencies/agency.entity.js';
import { AuditEntry } from '../audit/audit-entry.entity.js';
import { User } from '../accounts/user.entity.js';
import { CaseParty, Court, EnforcementCase } from '../courts/court.entity.js';
import { Lot } from '../lots/lot.entity.js';

/** Every entity of every module, for the data source and the migration check. */
export const ENTITIES = [User, Court, EnforcementCase, CaseParty, Agency, Lot, AuditEntry];
