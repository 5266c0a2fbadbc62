import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser, Public, Roles, type AuthUser } from '../common/auth.js';
import { CreateStaffDto, IdentityDto, LoginDto, RegisterDto, UserView } from './accounts.dto.js';
import { AccountsService } from './accounts.service.js';

@ApiTags('accounts')
@Controller()
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post('auth/register')
  @Public()
  register(@Body() dto: RegisterDto): Promise<{ id: string }> {
    return this.accounts.register(dto);
  }

  @Post('auth/login')
  @HttpCode(200)
  @Public()
  login(@Body() dto: LoginDto): ReturnType<AccountsService['login']> {
    return this.accounts.login(dto);
  }

  /** Logs out everywhere: every token issued so far stops working. */
  @Post('auth/logout')
  @HttpCode(204)
  @Roles('bidder', 'court_clerk', 'appraiser', 'admin', 'party')
  async logout(@CurrentUser() user: AuthUser): Promise<void> {
    await this.accounts.revokeTokens(user.id);
  }

  @Get('me')
  @Roles('bidder', 'court_clerk', 'appraiser', 'admin', 'party')
  me(@CurrentUser() user: AuthUser): Promise<UserView> {
    return this.accounts.me(user.id);
  }

  /**
   * Real-name verification (实名认证). Bidders need it to enrol; staff may verify too, which lets the
   * platform bar them from their own court's and cases' lots even through another account (OJA Art. 34).
   */
  @Post('me/identity')
  @HttpCode(200)
  @Roles('bidder', 'party', 'court_clerk', 'appraiser', 'admin')
  verifyIdentity(@CurrentUser() user: AuthUser, @Body() dto: IdentityDto): Promise<UserView> {
    return this.accounts.verifyIdentity(user.id, dto);
  }

  /** The operator creates staff accounts: clerks of a court, appraisers of an agency, other operators. */
  @Post('admin/users')
  @Roles('admin')
  createStaff(@CurrentUser() user: AuthUser, @Body() dto: CreateStaffDto): Promise<{ id: string }> {
    return this.accounts.createStaff(user.id, dto);
  }
}
