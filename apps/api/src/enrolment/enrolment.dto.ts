import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Id } from '../common/validation.js';

export class EnrolDto {
  @ApiPropertyOptional({ description: 'a Stripe payment method id; test ones (pm_card_visa, pm_card_chargeDeclined, …) are confirmed server-side' })
  @IsOptional()
  @IsString()
  @Matches(/^pm_[A-Za-z0-9_]{1,100}$/, { message: 'paymentMethod must be a Stripe payment method id (pm_…)' })
  paymentMethod?: string;
  @ApiPropertyOptional({ description: 'the disclosed priority right holder (优先购买权人) you are; the clerk confirms it (OJA Art. 19)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  priorityClaim?: string;
}

export class ConfirmPriorityDto {
  @Id() enrolmentId!: string;
  @ApiProperty({ minimum: 1, description: '1 = highest (OJA Art. 19 ¶2)' }) @IsInt() @Min(1) @Max(99) rank!: number;
}
