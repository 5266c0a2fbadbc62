import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, type AuthUser } from '../common/auth.js';
import { UuidPipe } from '../common/uuid.pipe.js';
import { ConfirmPriorityDto, EnrolDto } from './enrolment.dto.js';
import { EnrolmentService, type EnrolmentView } from './enrolment.service.js';

@ApiTags('enrolment')
@Controller()
export class EnrolmentController {
  constructor(private readonly enrolment: EnrolmentService) {}

  /** Enrol and pay the deposit; the bidder code is issued once the deposit is secured. */
  @Post('lots/:id/enrolments')
  @Roles('bidder')
  enrol(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: EnrolDto): Promise<EnrolmentView> {
    return this.enrolment.enrol(user, id, dto);
  }

  @Get('lots/:id/enrolments/me')
  @Roles('bidder')
  mine(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string): Promise<EnrolmentView> {
    return this.enrolment.mine(user, id);
  }

  /** "My lots": every enrolment with its deposit's state and history. */
  @Get('me/enrolments')
  @Roles('bidder')
  mineAll(@CurrentUser() user: AuthUser): Promise<EnrolmentView[]> {
    return this.enrolment.mineAll(user);
  }

  @Get('lots/:id/priority-claims')
  @Roles('court_clerk')
  priorityClaims(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string) {
    return this.enrolment.priorityClaims(user, id);
  }

  @Post('lots/:id/priority-purchasers')
  @Roles('court_clerk')
  confirmPriority(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: ConfirmPriorityDto) {
    return this.enrolment.confirmPriority(user, id, dto.enrolmentId, dto.rank);
  }

  /** Who was behind each code — for the court, after the end only (OJA Art. 18 ¶2). */
  @Get('lots/:id/bidders')
  @Roles('court_clerk')
  identities(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string) {
    return this.enrolment.identitiesAfterEnd(user, id);
  }
}
