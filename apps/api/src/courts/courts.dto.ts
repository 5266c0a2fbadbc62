import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { Fen } from '../common/validation.js';
import { PARTY_ROLES, type PartyRole } from './court.entity.js';

export class CreateCourtDto {
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(100) name!: string;
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(32) province!: string;
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(32) city!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) address?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(40) contactPhone?: string;
}

export class PartyDto {
  @ApiProperty({ enum: PARTY_ROLES }) @IsIn(PARTY_ROLES, { message: `role must be one of ${PARTY_ROLES.join(', ')}` }) role!: PartyRole;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) contact?: string;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() reachable?: boolean;
}

export class CreateCaseDto {
  @ApiProperty({ description: '案号, e.g. (2026)京0105执1234号' }) @IsString() @MinLength(4) @MaxLength(64) caseNumber!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) title!: string;
  @ApiPropertyOptional({ description: 'enforcement title (执行依据)' }) @IsOptional() @IsString() @MaxLength(2000) enforcementBasis?: string;
  @Fen({ optional: true, description: "applicant creditor's claim in fen (OJA Art. 17 ¶2)" }) applicantClaim?: number;
  @ApiProperty({ type: [PartyDto] })
  @IsArray()
  @ArrayMinSize(2, { message: 'parties must include at least the applicant and the respondent' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => PartyDto)
  parties!: PartyDto[];
}

export class UpdateClaimDto {
  @Fen({ description: "applicant creditor's claim in fen (OJA Art. 17 ¶2)" }) applicantClaim!: number;
}

export class PartyAccountDto {
  @ApiProperty({ format: 'email' }) @IsEmail({}, { message: 'email must be an email address' }) @MaxLength(254) email!: string;
  @ApiProperty({ minLength: 10 }) @IsString() @MinLength(10, { message: 'password must be at least 10 characters' }) @MaxLength(128) password!: string;
}
