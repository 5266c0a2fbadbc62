import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { UuidPipe } from '../common/uuid.pipe.js';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser, Public, Roles, type AuthUser } from '../common/auth.js';
import type { Court } from './court.entity.js';
import { CreateCaseDto, CreateCourtDto, PartyAccountDto, UpdateClaimDto } from './courts.dto.js';
import { CourtsService, type CaseView } from './courts.service.js';

@ApiTags('courts')
@Controller()
export class CourtsController {
  constructor(private readonly courts: CourtsService) {}

  @Post('admin/courts')
  @Roles('admin')
  createCourt(@CurrentUser() user: AuthUser, @Body() dto: CreateCourtDto): Promise<Court> {
    return this.courts.createCourt(user.id, dto);
  }

  @Get('courts')
  @Public()
  listCourts(): Promise<Court[]> {
    return this.courts.listCourts();
  }

  @Post('cases')
  @Roles('court_clerk')
  createCase(@CurrentUser() user: AuthUser, @Body() dto: CreateCaseDto): Promise<CaseView> {
    return this.courts.createCase(user, dto);
  }

  @Get('cases')
  @Roles('court_clerk')
  listCases(@CurrentUser() user: AuthUser): Promise<CaseView[]> {
    return this.courts.listCases(user);
  }

  @Get('cases/:id')
  @Roles('court_clerk')
  getCase(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string): Promise<CaseView> {
    return this.courts.getCase(user, id);
  }

  /** Records the applicant creditor's claim (OJA Art. 17 ¶2), which reduces the deposit it must pay. */
  @Patch('cases/:id/applicant-claim')
  @Roles('court_clerk')
  updateClaim(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: UpdateClaimDto): Promise<CaseView> {
    return this.courts.updateClaim(user, id, dto.applicantClaim);
  }

  /** Gives a party (当事人) of the case its own login, linked to the party. */
  @Post('cases/:id/parties/:partyId/account')
  @Roles('court_clerk')
  partyAccount(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Param('partyId', UuidPipe) partyId: string, @Body() dto: PartyAccountDto): Promise<CaseView> {
    return this.courts.createPartyAccount(user, id, partyId, dto);
  }
}
