import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { LOT_STATUSES, PROPERTY_TYPES, ROUNDS, type LotStatus, type PropertyType, type Round } from '@fapai/domain';
import { Fen, Id, QueryInt, Timestamp } from '../common/validation.js';


export class PriorityHolderDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @ApiProperty({ description: 'nature of the right, e.g. co-owner (共有人), lessee (承租人)' }) @IsString() @MinLength(1) @MaxLength(100) nature!: string;
  @ApiProperty({ minimum: 1, description: '1 = highest rank (OJA Art. 19 ¶2)' }) @IsInt() @Min(1) @Max(99) rank!: number;
}

const NOTICE_KINDS = ['notified', 'waived', 'unreachable'] as const;
const NOTICE_ROLES = ['party', 'priority_holder'] as const;
/** OJA Art. 16: how a party or priority holder was told of the sale. */
export class NoticeDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) party!: string;
  @ApiProperty({ enum: NOTICE_ROLES }) @IsIn(NOTICE_ROLES, { message: 'role must be party or priority_holder' }) role!: (typeof NOTICE_ROLES)[number];
  @ApiProperty({ enum: NOTICE_KINDS, description: 'notified (served), waived (a priority holder in writing), unreachable (published on the platform)' })
  @IsIn(NOTICE_KINDS, { message: 'kind must be notified, waived or unreachable' })
  kind!: (typeof NOTICE_KINDS)[number];
  @Timestamp({ optional: true, description: 'when served (notified) or published (unreachable)' }) at?: string;
}

export class DisclosuresDto {
  @ApiPropertyOptional({ description: '拍卖公告 (OJA Art. 12 ¶2, Art. 13(1))' }) @IsOptional() @IsString() @MaxLength(20000) announcementText?: string;
  @ApiPropertyOptional({ description: '执行依据 (Art. 13(2))' }) @IsOptional() @IsString() @MaxLength(5000) enforcementTitle?: string;
  @ApiPropertyOptional({ description: 'appraisal report or pricing basis (Art. 13(3))' }) @IsOptional() @IsString() @MaxLength(5000) valuationBasis?: string;
  @ApiPropertyOptional({ description: 'bidding rules (Art. 13(4))' }) @IsOptional() @IsString() @MaxLength(5000) biddingRules?: string;
  @ApiPropertyOptional({ description: 'title, occupancy, attached obligations (Art. 13(5))' }) @IsOptional() @IsString() @MaxLength(5000) titleAndEncumbrances?: string;
  @ApiPropertyOptional({ description: 'priority rights and their holders, or "none" (Art. 13(6))' }) @IsOptional() @IsString() @MaxLength(5000) priorityHolders?: string;
  @ApiPropertyOptional({ description: 'whether parties and priority holders were notified (Art. 13(7))' }) @IsOptional() @IsString() @MaxLength(5000) notificationStatement?: string;
  @ApiPropertyOptional({ description: 'deposit payment instructions (Art. 13(8))' }) @IsOptional() @IsString() @MaxLength(5000) paymentInstructions?: string;
  @ApiPropertyOptional({ description: 'taxes and fees and who bears them (Art. 13(9))' }) @IsOptional() @IsString() @MaxLength(5000) taxesAndFees?: string;
  @ApiPropertyOptional({ description: 'court name, contact, complaints (Art. 13(10))' }) @IsOptional() @IsString() @MaxLength(5000) courtContact?: string;
  @ApiPropertyOptional({ description: 'special warnings (Art. 14)' }) @IsOptional() @IsString() @MaxLength(5000) specialWarnings?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) other?: string;
}

export class CreateLotDto {
  @Id() caseId!: string;
  @ApiProperty({ enum: PROPERTY_TYPES }) @IsIn(PROPERTY_TYPES, { message: `propertyType must be one of ${PROPERTY_TYPES.join(', ')}` }) propertyType!: PropertyType;
  @ApiProperty({ maxLength: 200 }) @IsString() @MinLength(2) @MaxLength(200) title!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(20000) description?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(32) province?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(32) city?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) address?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) knownDefects?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) encumbrances?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) occupancy?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) taxBurden?: string;
  @ApiPropertyOptional({ type: [PriorityHolderDto] }) @IsOptional() @IsArray() @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => PriorityHolderDto) priorityHolders?: PriorityHolderDto[];
  @ApiPropertyOptional({ type: DisclosuresDto }) @IsOptional() @ValidateNested() @Type(() => DisclosuresDto) disclosures?: DisclosuresDto;
  @ApiPropertyOptional({ type: [NoticeDto] }) @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => NoticeDto) notices?: NoticeDto[];
  @Fen({ optional: true, min: 1, description: 'reference price (参考价) in fen' }) referencePrice?: number;
  @ApiPropertyOptional({ description: 'how the reference price was fixed (e.g. market price)' }) @IsOptional() @IsString() @MaxLength(2000) referencePriceBasis?: string;
  @Id({ optional: true }) valuationId?: string;
  @Fen({ optional: true, min: 1, description: 'starting price (起拍价) in fen' }) startingPrice?: number;
  @Fen({ optional: true, min: 1, description: 'bid increment (加价幅度) in fen' }) increment?: number;
  @Fen({ optional: true, min: 1, description: 'deposit (保证金) in fen' }) deposit?: number;
  @Timestamp({ optional: true, description: 'when the announcement is published; default: at publication' }) announceAt?: string;
  @Timestamp({ optional: true }) startsAt?: string;
  @Timestamp({ optional: true }) endsAt?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 90 }) @IsOptional() @IsInt() @Min(1) @Max(90) balanceDueDays?: number;
}

export class UpdateLotDto extends PartialType(OmitType(CreateLotDto, ['caseId'] as const)) {}

const SORTS = ['ending_soon', 'newest', 'price_asc', 'price_desc'] as const;
export type LotSort = (typeof SORTS)[number];

export class SearchLotsQuery {
  @ApiPropertyOptional({ enum: LOT_STATUSES }) @IsOptional() @IsIn(LOT_STATUSES.filter((s) => s !== 'draft'), { message: 'status must be a public lot status' }) status?: LotStatus;
  @ApiPropertyOptional({ enum: PROPERTY_TYPES }) @IsOptional() @IsIn(PROPERTY_TYPES) propertyType?: PropertyType;
  @ApiPropertyOptional({ enum: ROUNDS }) @IsOptional() @IsIn(ROUNDS) round?: Round;
  @Id({ optional: true }) courtId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(32) province?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(32) city?: string;
  @ApiPropertyOptional({ description: 'text search in title, description and address (works for Chinese)' }) @IsOptional() @IsString() @MaxLength(100) q?: string;
  @QueryInt({ min: 0, max: Number.MAX_SAFE_INTEGER, description: 'fen' }) minPrice?: number;
  @QueryInt({ min: 0, max: Number.MAX_SAFE_INTEGER, description: 'fen' }) maxPrice?: number;
  @Timestamp({ optional: true, description: 'bidding ends at or after' }) endsAfter?: string;
  @Timestamp({ optional: true, description: 'bidding ends at or before' }) endsBefore?: string;
  @Timestamp({ optional: true }) startsAfter?: string;
  @Timestamp({ optional: true }) startsBefore?: string;
  @ApiPropertyOptional({ enum: SORTS }) @IsOptional() @IsIn(SORTS) sort?: LotSort;
  @QueryInt({ min: 1, max: 10000 }) page?: number;
  @QueryInt({ min: 1, max: 100 }) pageSize?: number;
}

export class ReasonDto {
  @ApiProperty({ description: 'reason published on the platform (OJA Art. 28 ¶3)' }) @IsString() @MinLength(2) @MaxLength(2000) reason!: string;
}

/** A lot paused before it went live needs a new schedule once its old start has passed. */
export class ResumeDto {
  @ApiPropertyOptional({ description: 'why bidding resumes (e.g. the objection was dismissed), published with the change' }) @IsOptional() @IsString() @MinLength(2) @MaxLength(2000) reason?: string;
  @Timestamp({ optional: true, description: 'new bidding start, when the old one has passed' }) startsAt?: string;
  @Timestamp({ optional: true, description: 'new bidding end' }) endsAt?: string;
}

const DISPOSITIONS = ['satisfaction_of_debt', 'release_seizure'] as const;
export class DispositionDto {
  @ApiProperty({ enum: DISPOSITIONS, description: '以物抵债 (ASR Arts. 16, 24) or 解除查封 (ASR Arts. 24, 25, 32 ¶3)' }) @IsIn(DISPOSITIONS, { message: 'path must be satisfaction_of_debt or release_seizure' }) path!: (typeof DISPOSITIONS)[number];
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(2000) note!: string;
}
