import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { RateLimiter } from '../common/rate-limit.js';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser, Public, Roles, type AuthUser } from '../common/auth.js';
import { ChangePasswordDto, CreateStaffDto, IdentityDto, LoginDto, RefreshDto, RegisterDto, UserView } from './accounts.dto.js';
import { AccountsService } from './accounts.service.js';

@ApiTags('accounts')
@Controller()
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly limiter: RateLimiter,
  ) {}

  @Post('auth/register')
  @Public()
  async register(@Ip() ip: string, @Body() dto: RegisterDto): Promise<{ id: string }> {
    await this.limiter.consume('register_ip', ip);
    return this.accounts.register(dto);
  }

  @Post('auth/login')
  @HttpCode(200)
  @Public()
  async login(@Ip() ip: string, @Body() dto: LoginDto): ReturnType<AccountsService['login']> {
    await this.limiter.consume('login_ip', ip);
    // Per account (or per trusted device) the service limits, once it knows which applies.
    return this.accounts.login(dto);
  }

  /** A new access token for a refresh token (used once; a new refresh token comes with it). */
  @Post('auth/refresh')
  @HttpCode(200)
  @Public()
  async refresh(@Ip() ip: string, @Body() dto: RefreshDto): ReturnType<AccountsService['refresh']> {
    await this.limiter.consume('refresh_ip', ip);
    return this.accounts.refresh(dto.refreshToken);
  }

  /** Changes the password and revokes every token of the account. */
  @Post('me/password')
  @HttpCode(204)
  @Roles('bidder', 'court_clerk', 'appraiser', 'admin', 'party')
  async changePassword(@CurrentUser() user: AuthUser, @Body() dto: ChangePasswordDto): Promise<void> {
    await this.accounts.changePassword(user.id, dto.currentPassword, dto.newPassword);
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
