import { Agency } from '../agencies/agency.entity.js';
import { AuditEntry } from '../audit/audit-entry.entity.js';
import { User } from '../accounts/user.entity.js';
import { RefreshToken } from '../accounts/refresh-token.entity.js';
import { CaseParty, Court, EnforcementCase } from '../courts/court.entity.js';
import { Lot } from '../lots/lot.entity.js';
import { Bid, LotResult } from '../bidding/bid.entity.js';
import { Enrolment } from '../enrolment/enrolment.entity.js';
import { Deposit, DepositMovement, StripeCustomer, StripeEvent } from '../payments/deposit.entity.js';
import { Notification } from '../notifications/notifications.module.js';
import { Settlement } from '../settlement/settlement.entity.js';
import { Valuation, ValuationAssignment, ValuationEventRow, ValuationReport } from '../valuation/valuation.entity.js';

/** Every entity of every module, for the data source and the migration check. */
export const ENTITIES = [User, RefreshToken, Court, EnforcementCase, CaseParty, Agency, Lot, AuditEntry, Enrolment, Deposit, DepositMovement, StripeEvent, StripeCustomer, Bid, LotResult, Notification, Settlement, Valuation, ValuationEventRow, ValuationAssignment, ValuationReport];
