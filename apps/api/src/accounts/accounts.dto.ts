import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { Id } from '../common/validation.js';
import type { Role } from '../common/auth.js';

export class RegisterDto {
  @ApiProperty({ format: 'email' }) @IsEmail({}, { message: 'email must be an email address' }) @MaxLength(254) email!: string;
  @ApiProperty({ minLength: 10, maxLength: 128 }) @IsString() @MinLength(10, { message: 'password must be at least 10 characters' }) @MaxLength(128) password!: string;
  @ApiProperty({ maxLength: 64 }) @IsString() @MinLength(1) @MaxLength(64) displayName!: string;
}

export class LoginDto {
  @ApiProperty({ format: 'email' }) @IsEmail({}, { message: 'email must be an email address' }) @MaxLength(254) email!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(128) password!: string;
  @ApiPropertyOptional({ description: "the deviceToken of this browser's last login to this account: its failures are counted apart from the account's lock", maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  deviceToken?: string;
}

export class IdentityDto {
  @ApiProperty({ description: 'real name as on the resident ID', maxLength: 64 }) @IsString() @MinLength(2) @MaxLength(64) realName!: string;
  @ApiProperty({ description: '18-digit resident ID (GB 11643), last digit may be X' })
  @IsString()
  @Matches(/^\d{17}[\dXx]$/, { message: 'idNumber must be 17 digits followed by a digit or X' })
  idNumber!: string;
  @ApiProperty({ description: 'mainland mobile number' }) @IsString() @Matches(/^1\d{10}$/, { message: 'phone must be an 11-digit mainland mobile number' }) phone!: string;
}

const STAFF_ROLES = ['court_clerk', 'appraiser', 'admin'] as const;
export class CreateStaffDto {
  @ApiProperty({ format: 'email' }) @IsEmail({}, { message: 'email must be an email address' }) @MaxLength(254) email!: string;
  @ApiProperty() @IsString() @MinLength(10) @MaxLength(128) password!: string;
  @ApiPropertyOptional() @IsString() @MinLength(1) @MaxLength(64) displayName: string = '';
  @ApiProperty({ enum: STAFF_ROLES }) @IsIn(STAFF_ROLES, { message: `role must be one of ${STAFF_ROLES.join(', ')}` }) role!: Extract<Role, (typeof STAFF_ROLES)[number]>;
  @Id({ optional: true }) courtId?: string;
  @Id({ optional: true }) agencyId?: string;
}

export class UserView {
  @ApiProperty() id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ type: [String] }) roles!: Role[];
  @ApiProperty({ nullable: true, type: String }) courtId!: string | null;
  @ApiProperty({ nullable: true, type: String }) agencyId!: string | null;
  @ApiProperty() identityVerified!: boolean;
  @ApiProperty({ nullable: true, type: String }) realName!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'masked, e.g. 110***********123X' }) idNumberMasked!: string | null;
  @ApiProperty({ nullable: true, type: String }) phoneMasked!: string | null;
}

export class RefreshDto {
  @ApiProperty() @IsString() @MinLength(20) @MaxLength(200) refreshToken!: string;
}

export class ChangePasswordDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(128) currentPassword!: string;
  @ApiProperty({ minLength: 10 }) @IsString() @MinLength(10, { message: 'newPassword must be at least 10 characters' }) @MaxLength(128) newPassword!: string;
}
