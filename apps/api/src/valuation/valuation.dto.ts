import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { ART22_GROUNDS, ART23_GROUNDS, type Art20Finding, type JointRequest, type ObjectionGround, type PostponementReason, type ValuationPartyRole, type WithdrawalReason } from '@fapai/domain';
import { Fen, Id, Timestamp } from '../common/validation.js';

const PARTY_SIDES = ['applicant', 'respondent'] as const;
const JOINT_REQUESTS = ['directed_inquiry', 'online_inquiry', 'appraisal'] as const;
const OBJECTION_GROUNDS = [...ART22_GROUNDS, ...ART23_GROUNDS] as const;
const ART20_FINDINGS = ['facts_wrong', 'scope', 'wrong_agency', 'licence_mismatch', 'other'] as const;
const POSTPONEMENT_REASONS = ['enforcement_postponed_or_suspended', 'materials_inconsistent', 'other'] as const;
const WITHDRAWAL_REASONS = ['application_withdrawn', 'obligations_performed', 'title_revoked', 'parties_agreed_price', 'parties_agreed_not_to_sell', 'other'] as const;

/** The facts the court establishes before choosing a method (RPR Art. 3, rulebook §7.0). */
export class PropertyFactsDto {
  @ApiProperty({ description: 'what is valued, e.g. 北京市朝阳区某路1号房产' }) @IsString() @MinLength(2) @MaxLength(500) description!: string;
  @ApiProperty({ description: '权属: owner and title documents' }) @IsString() @MinLength(1) @MaxLength(2000) title!: string;
  @ApiProperty({ type: [String], description: '权利负担: mortgages, seizures, leases' }) @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(500, { each: true }) encumbrances!: string[];
  @ApiProperty({ description: '占有使用: who occupies or uses it' }) @IsString() @MaxLength(2000) occupancy!: string;
  @Fen({ description: '欠缴税费: unpaid taxes and fees in fen (0 when none)' }) unpaidTaxes!: number;
  @ApiProperty({ type: [String], description: '质量瑕疵: known defects' }) @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(500, { each: true }) defects!: string[];
  @ApiProperty({ description: 'has a tax base, government-set or government-guided price (RPR Art. 5)' }) @IsBoolean() hasGovernmentPrice!: boolean;
  @ApiProperty({ description: 'needs an on-site survey or expert appraisal, or is unsuited to online inquiry (RPR Art. 7)' }) @IsBoolean() needsOnSiteSurvey!: boolean;
  @ApiProperty({ description: 'a law or administrative regulation requires appraisal (RPR Art. 14)' }) @IsBoolean() appraisalRequiredByLaw!: boolean;
}

export class CreateValuationDto {
  @Id() caseId!: string;
  @ApiProperty({ type: PropertyFactsDto }) @ValidateNested() @Type(() => PropertyFactsDto) property!: PropertyFactsDto;
  @Timestamp({ optional: true, description: 'date of the seizure (查封); the procedure should start within 30 days (RPR Art. 1)' }) seizedAt?: string;
}

export class ListValuationsQuery {
  @Id({ optional: true }) caseId?: string;
}

export class StanceDto {
  @ApiProperty({ enum: PARTY_SIDES }) @IsIn(PARTY_SIDES, { message: 'party must be applicant or respondent' }) party!: ValuationPartyRole;
  @ApiPropertyOptional({ description: 'refuses to negotiate (拒绝议价), RPR Art. 4' }) @IsOptional() @IsBoolean() refusesNegotiation?: boolean;
  @ApiPropertyOptional({ description: 'cannot be found (下落不明), RPR Arts. 4, 16, 21' }) @IsOptional() @IsBoolean() cannotBeFound?: boolean;
}

export class JointRequestDto {
  @ApiProperty({ enum: JOINT_REQUESTS, nullable: true, description: 'the method both parties ask for (RPR Arts. 5 ¶2, 7 ¶2, 14); null clears' })
  @IsOptional()
  @IsIn(JOINT_REQUESTS, { message: `method must be one of ${JOINT_REQUESTS.join(', ')} or null` })
  method!: JointRequest | null;
}

export class DeadlineDto {
  @Timestamp({ optional: true, description: 'deadline set by the court; the profile default when omitted' }) deadline?: string;
}

export class NegotiationPriceDto {
  @ApiPropertyOptional({ enum: PARTY_SIDES, description: 'required when a clerk records the price; a party user submits its own' })
  @IsOptional()
  @IsIn(PARTY_SIDES, { message: 'party must be applicant or respondent' })
  party?: ValuationPartyRole;
  @Fen({ min: 1, description: 'the price the party proposes, fen' }) price!: number;
  @Timestamp({ description: 'last instant of validity; at most one year (RPR Art. 27 ¶2)' }) validUntil!: string;
}

export class ReasonDto {
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(2000) reason!: string;
}

export class DirectedInquiryDto {
  @ApiProperty({ description: 'the body asked, e.g. the local tax bureau (RPR Art. 5)' }) @IsString() @MinLength(2) @MaxLength(200) body!: string;
  @Id({ optional: true }) agencyId?: string;
  @Timestamp({ optional: true, description: 'deadline for the result (RPR Art. 6)' }) deadline?: string;
}

export class PriceResultDto {
  @Fen({ min: 1 }) price!: number;
  @Timestamp({ description: 'last instant of validity (RPR Art. 27)' }) validUntil!: string;
}

export class ReviewOnlineDto {
  @ApiProperty({ type: [String], format: 'uuid', description: 'platforms whose reports are faulty (RPR Art. 12); empty when all are fine' })
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('4', { each: true, message: 'faultyPlatformIds must hold UUIDs' })
  faultyPlatformIds!: string[];
}

export class OpenAppraisalDto {
  @Timestamp({ optional: true, description: 'period for the parties to agree on three agencies (RPR Art. 16)' }) agreementDeadline?: string;
  @ApiPropertyOptional({ description: 'both parties ask for the lottery at once' }) @IsOptional() @IsBoolean() bothPartiesAskLottery?: boolean;
}

export class AgreedAgenciesDto {
  @ApiProperty({ type: [String], format: 'uuid', description: 'three agencies in the agreed order (RPR Art. 16)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsUUID('4', { each: true, message: 'agencyIds must hold UUIDs' })
  agencyIds!: string[];
}

export class LotteryCommitDto {
  @ApiPropertyOptional({ description: 'professional field of the sub-list (agency.fields), e.g. real_estate' }) @IsOptional() @IsString() @MaxLength(40) field?: string;
  @ApiPropertyOptional({ description: 'province of the sub-list' }) @IsOptional() @IsString() @MaxLength(32) province?: string;
  @ApiPropertyOptional({ description: 'city of the sub-list' }) @IsOptional() @IsString() @MaxLength(32) city?: string;
}

export class LotteryDrawDto {
  @ApiPropertyOptional({ description: 'entropy contributed by the parties after the commitment was published' }) @IsOptional() @IsString() @MaxLength(200) publicEntropy?: string;
}

export class GrantExtensionDto {
  @Id() agencyId!: string;
  @ApiProperty({ minimum: 1, description: 'extension in milliseconds (≤ 15 days statutory, 5 s sandbox; RPR Art. 19 ¶2)' }) @IsInt() @Min(1) @Max(365 * 86_400_000) extendByMs!: number;
  @Timestamp({ optional: true, description: "when the agency's written request arrived; default: its request on record" }) requestedAt?: string;
}

export class ReviewAppraisalDto {
  @ApiProperty({ enum: ART20_FINDINGS, isArray: true, description: 'RPR Art. 20 findings; empty when the report is fine' })
  @IsArray()
  @ArrayMaxSize(5)
  @IsIn(ART20_FINDINGS, { each: true, message: `findings must be among ${ART20_FINDINGS.join(', ')}` })
  findings!: Art20Finding[];
}

export class RecipientDto {
  @Id() partyId!: string;
  @Timestamp({ optional: true, description: 'when served; default now' }) servedAt?: string;
  @ApiPropertyOptional({ description: 'served by public notice (deemed received 15 days later, RPR Art. 21 ¶2)' }) @IsOptional() @IsBoolean() publicNotice?: boolean;
}

export class ServeDto {
  @ApiPropertyOptional({ type: [RecipientDto], description: "default: every party of the case (unreachable ones by public notice)" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RecipientDto)
  recipients?: RecipientDto[];
}

export class ObjectionDto {
  @ApiProperty({ enum: OBJECTION_GROUNDS, isArray: true, description: 'RPR Art. 22 ¶1 (1)–(4) and, for appraisal, Art. 23 ¶1' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(7)
  @IsIn(OBJECTION_GROUNDS, { each: true, message: `grounds must be among ${OBJECTION_GROUNDS.join(', ')}` })
  grounds!: ObjectionGround[];
  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'online inquiry: the platforms whose reports are objected to' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('4', { each: true, message: 'platformIds must hold UUIDs' })
  platformIds?: string[];
  @ApiPropertyOptional({ enum: ['report', 'correction', 'explanation', 'technical_review'], default: 'report' })
  @IsOptional()
  @IsIn(['report', 'correction', 'explanation', 'technical_review'])
  target?: 'report' | 'correction' | 'explanation' | 'technical_review';
  @Id({ optional: true }) partyId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) statement?: string;
}

export class ObjectorResponseDto {
  @ApiProperty({ description: "the objector accepts the agency's explanation" }) @IsBoolean() satisfied!: boolean;
}

export class TechnicalReviewDto {
  @ApiProperty({ description: 'the professional technical review (专业技术评审) finds the report stands' }) @IsBoolean() reportStands!: boolean;
}

export class RulingDto {
  @ApiProperty() @IsBoolean() upheld!: boolean;
}

export class PostponeDto {
  @ApiProperty({ enum: POSTPONEMENT_REASONS }) @IsIn(POSTPONEMENT_REASONS, { message: `reason must be one of ${POSTPONEMENT_REASONS.join(', ')}` }) reason!: PostponementReason;
}

export class WithdrawDto {
  @ApiProperty({ enum: WITHDRAWAL_REASONS }) @IsIn(WITHDRAWAL_REASONS, { message: `reason must be one of ${WITHDRAWAL_REASONS.join(', ')}` }) reason!: WithdrawalReason;
}

export class AgencyRefDto {
  @Id() agencyId!: string;
}

export class SampleDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(500) description!: string;
  @Fen({ optional: true, description: 'price of the sample, fen' }) price?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) source?: string;
}

export class SubmitReportDto {
  @Fen({ min: 1, description: 'the result, fen' }) price!: number;
  @ApiProperty({ description: 'calculation method (RPR Arts. 11, 17)' }) @IsString() @MinLength(1) @MaxLength(2000) method!: string;
  @ApiPropertyOptional({ type: [SampleDto], description: 'reference samples (参照样本), required for online inquiry (RPR Art. 11)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => SampleDto)
  samples?: SampleDto[];
  @ApiPropertyOptional({ description: 'standards applied; required for an appraisal report (RPR Art. 17)' }) @IsOptional() @IsString() @MaxLength(2000) standards?: string;
  @Timestamp({ description: 'last instant of validity, at most one year (RPR Art. 27 ¶1)' }) validUntil!: string;
}

export class CorrectionDto {
  @Fen({ optional: true, min: 1, description: 'corrected result; omit when the price stands (appraisal explanation)' }) price?: number;
  @Timestamp({ optional: true }) validUntil?: string;
  @ApiPropertyOptional({ description: 'the written explanation or correction' }) @IsOptional() @IsString() @MaxLength(20000) note?: string;
}

export class ExplanationDto {
  @ApiProperty({ description: 'the written explanation (RPR Art. 23 ¶1)' }) @IsString() @MinLength(2) @MaxLength(20000) note!: string;
}

export class FeesQuery {
  @ApiPropertyOptional({ description: 'final sale price in fen; default: the sold lot linked to the valuation' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'salePrice must be an integer number of fen' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  salePrice?: number;
}
