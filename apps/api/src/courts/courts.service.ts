import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../common/auth.js';
import { isUniqueViolation } from '../common/db.js';
import { CaseParty, Court, EnforcementCase } from './court.entity.js';
import { CourtError } from './courts.errors.js';
import type { CreateCaseDto, CreateCourtDto } from './courts.dto.js';

export interface CaseView {
  id: string;
  courtId: string;
  caseNumber: string;
  title: string;
  enforcementBasis: string;
  applicantClaim: number | null;
  parties: { id: string; role: string; name: string; contact: string; reachable: boolean; userId: string | null }[];
  createdAt: string;
}

@Injectable()
export class CourtsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly accounts: AccountsService,
  ) {}

  async createCourt(actorId: string, dto: CreateCourtDto): Promise<Court> {
    try {
      return await this.db.transaction(async (em) => {
        const court = await em.save(em.create(Court, { ...dto, address: dto.address ?? '', contactPhone: dto.contactPhone ?? '' }));
        await this.audit.append(em, { stream: `court:${court.id}`, action: 'court.created', actorId, data: { name: court.name } });
        return court;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'courts_name_key')) throw new CourtError('COURT_NAME_TAKEN', { field: 'name' });
      throw error;
    }
  }

  listCourts(): Promise<Court[]> {
    return this.db.getRepository(Court).find({ order: { name: 'ASC' } });
  }

  async getCourt(id: string): Promise<Court> {
    const court = await this.db.getRepository(Court).findOneBy({ id });
    if (!court) throw new CourtError('COURT_NOT_FOUND');
    return court;
  }

  async createCase(clerk: AuthUser, dto: CreateCaseDto): Promise<CaseView> {
    const roles = new Set(dto.parties.map((p) => p.role));
    if (!roles.has('applicant') || !roles.has('respondent')) throw new CourtError('CASE_NEEDS_APPLICANT_AND_RESPONDENT', { field: 'parties' });
    try {
      const id = await this.db.transaction(async (em) => {
        const created = await em.save(
          em.create(EnforcementCase, { courtId: clerk.courtId!, caseNumber: dto.caseNumber.trim(), title: dto.title, enforcementBasis: dto.enforcementBasis ?? '', applicantClaim: dto.applicantClaim ?? null, createdBy: clerk.id }),
        );
        await em.save(dto.parties.map((p) => em.create(CaseParty, { caseId: created.id, role: p.role, name: p.name, contact: p.contact ?? '', reachable: p.reachable ?? true, userId: null })));
        await this.audit.append(em, { stream: `case:${created.id}`, action: 'case.created', actorId: clerk.id, data: { caseNumber: created.caseNumber, parties: dto.parties.length } });
        return created.id;
      });
      return this.getCase(clerk, id);
    } catch (error) {
      if (isUniqueViolation(error, 'cases_court_number_key')) throw new CourtError('CASE_NUMBER_TAKEN', { field: 'caseNumber' });
      throw error;
    }
  }

  async listCases(clerk: AuthUser): Promise<CaseView[]> {
    const cases = await this.db.getRepository(EnforcementCase).find({ where: { courtId: clerk.courtId! }, order: { createdAt: 'DESC' } });
    return Promise.all(cases.map((c) => this.view(c)));
  }

  /** A clerk sees only their own court's cases; others get 404 (no existence leak). */
  async getCase(clerk: AuthUser, id: string): Promise<CaseView> {
    const found = await this.db.getRepository(EnforcementCase).findOneBy({ id, courtId: clerk.courtId! });
    if (!found) throw new CourtError('CASE_NOT_FOUND');
    return this.view(found);
  }

  async updateClaim(clerk: AuthUser, id: string, applicantClaim: number): Promise<CaseView> {
    await this.db.transaction(async (em) => {
      const result = await em.update(EnforcementCase, { id, courtId: clerk.courtId! }, { applicantClaim });
      if (!result.affected) throw new CourtError('CASE_NOT_FOUND');
      await this.audit.append(em, { stream: `case:${id}`, action: 'case.claim_recorded', actorId: clerk.id, data: { applicantClaim } });
    });
    return this.getCase(clerk, id);
  }

  /** Gives a party of the case its own login (for negotiation, and the applicant creditor's bidding). */
  async createPartyAccount(clerk: AuthUser, caseId: string, partyId: string, input: { email: string; password: string }): Promise<CaseView> {
    const party = (await this.db.query(`SELECT p.id, p.name, p.user_id FROM case_parties p JOIN cases c ON c.id = p.case_id WHERE p.id = $1 AND c.id = $2 AND c.court_id = $3`, [partyId, caseId, clerk.courtId])) as {
      id: string;
      name: string;
      user_id: string | null;
    }[];
    if (party.length === 0) throw new CourtError('CASE_NOT_FOUND');
    if (party[0].user_id) throw new CourtError('PARTY_HAS_ACCOUNT');
    const { id } = await this.accounts.createPartyAccount(clerk.id, { ...input, displayName: party[0].name });
    await this.db.transaction(async (em) => {
      await em.query('UPDATE case_parties SET user_id = $2 WHERE id = $1', [partyId, id]);
      await this.audit.append(em, { stream: `case:${caseId}`, action: 'case.party_account_created', actorId: clerk.id, data: { partyId, userId: id } });
    });
    return this.getCase(clerk, caseId);
  }

  /** For other modules: the case with its court, or null. */
  findCase(id: string): Promise<EnforcementCase | null> {
    return this.db.getRepository(EnforcementCase).findOneBy({ id });
  }

  parties(caseId: string): Promise<CaseParty[]> {
    return this.db.getRepository(CaseParty).find({ where: { caseId }, order: { role: 'ASC', name: 'ASC' } });
  }

  private async view(c: EnforcementCase): Promise<CaseView> {
    const parties = await this.parties(c.id);
    return {
      id: c.id,
      courtId: c.courtId,
      caseNumber: c.caseNumber,
      title: c.title,
      enforcementBasis: c.enforcementBasis,
      applicantClaim: c.applicantClaim,
      parties: parties.map((p) => ({ id: p.id, role: p.role, name: p.name, contact: p.contact, reachable: p.reachable, userId: p.userId })),
      createdAt: c.createdAt.toISOString(),
    };
  }
}
