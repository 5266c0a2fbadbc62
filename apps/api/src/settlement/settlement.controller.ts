import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiProduces, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { SET_ASIDE_GROUNDS, type SetAsideGround } from '@fapai/domain';
import { CurrentUser, Public, Roles, type AuthUser } from '../common/auth.js';
import { UuidPipe } from '../common/uuid.pipe.js';
import { Fen } from '../common/validation.js';
import { renderConfirmationPdf } from './confirmation.pdf.js';
import { SettlementService, type SettlementView } from './settlement.service.js';
import { SettlementError } from './settlement.errors.js';

export class PayBalanceDto {
  @ApiProperty({
    required: false,
    description:
      'a Stripe payment method id (pm_card_visa, … in test mode), confirmed by the server at once. Without it the PaymentIntent is created unconfirmed and its client secret is answered in `balancePayment` for Stripe.js (Elements); asked again while that intent is open, the same one is answered.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^pm_[A-Za-z0-9_]{1,100}$/, { message: 'paymentMethod must be a Stripe payment method id (pm_…)' })
  paymentMethod?: string;
}

export class RulingDto {
  @ApiProperty({ format: 'date', description: 'date of the sale ruling (成交裁定)' }) @IsISO8601({ strict: true }, { message: 'rulingDate must be a date (YYYY-MM-DD)' }) @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'rulingDate must be YYYY-MM-DD' }) rulingDate!: string;
}

export class DefaultDto {
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(2000) reason!: string;
  @Fen({ optional: true, description: 'costs and losses the auction caused (OJA Art. 24 ¶1 (1)), paid first from the deposit' }) auctionCosts?: number;
}

export class SetAsideDto {
  @ApiProperty({ enum: SET_ASIDE_GROUNDS, description: 'the ground of OJA Art. 31' }) @IsIn(SET_ASIDE_GROUNDS) ground!: SetAsideGround;
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(2000) reason!: string;
}


@ApiTags('settlement')
@Controller()
export class SettlementController {
  constructor(private readonly settlement: SettlementService) {}

  /** The published confirmation (成交确认书, OJA Art. 22): the buyer's real name appears here, and only here. */
  @Get('lots/:id/confirmation')
  @Public()
  async confirmation(@Param('id', UuidPipe) id: string): Promise<Omit<SettlementView, 'forfeitAllocation' | 'defaultReason' | 'balancePayment'>> {
    const { forfeitAllocation: _a, defaultReason: _b, balancePayment: _c, ...view } = this.settlement.view(await this.settlement.get(id));
    return view;
  }

  @Get('lots/:id/confirmation.pdf')
  @Public()
  @ApiProduces('application/pdf')
  async confirmationPdf(@Param('id', UuidPipe) id: string, @Res() res: FastifyReply): Promise<void> {
    const s = await this.settlement.get(id);
    const pdf = await renderConfirmationPdf(s);
    res.header('Content-Type', 'application/pdf');
    res.header('Content-Disposition', `inline; filename="confirmation-${s.confirmationNo}.pdf"`);
    res.send(pdf);
  }

  /** The settlement with each step and its time (clerk of the court, or the buyer). */
  @Get('lots/:id/settlement')
  @Roles('court_clerk', 'bidder')
  async get(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string): Promise<SettlementView> {
    const s = await this.settlement.get(id);
    const lotCourt = await this.settlement.courtOf(id);
    if (!(s.buyerUserId === user.id || (user.roles.includes('court_clerk') && user.courtId === lotCourt))) throw new SettlementError('SETTLEMENT_NOT_FOUND');
    return this.settlement.view(s, s.buyerUserId === user.id);
  }

  /**
   * The buyer pays the balance (price − deposit) by the deadline. Refusals: BALANCE_DECLINED (402),
   * BALANCE_NEEDS_ACTION (402, 3-D Secure: `details.clientSecret` for Stripe.js), BALANCE_PAYMENT_METHOD_INVALID
   * (400), PAYMENT_PROVIDER_UNAVAILABLE (503); after any of them the balance is still due and may be paid again.
   */
  @Post('lots/:id/balance')
  @HttpCode(200)
  @Roles('bidder')
  pay(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: PayBalanceDto): Promise<SettlementView> {
    return this.settlement.payBalance(user, id, dto.paymentMethod);
  }

  /** The sale ruling (成交裁定), once paid in full. */
  @Post('lots/:id/ruling')
  @Roles('court_clerk')
  ruling(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: RulingDto): Promise<SettlementView> {
    return this.settlement.recordRuling(user, id, dto.rulingDate);
  }

  /** Declares the buyer in default (悔拍); the deposit is forfeited (OJA Art. 24). */
  @Post('lots/:id/default')
  @Roles('court_clerk')
  declareDefault(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: DefaultDto): Promise<SettlementView> {
    return this.settlement.declareDefault(user, id, { reason: dto.reason, auctionCosts: dto.auctionCosts });
  }

  /** Sets a finished sale aside (撤销, OJA Art. 31) with its ground; the buyer's money goes back. */
  @Post('lots/:id/set-aside')
  @Roles('court_clerk')
  setAside(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: SetAsideDto): Promise<SettlementView> {
    return this.settlement.setAside(user, id, dto.ground, dto.reason);
  }
}
