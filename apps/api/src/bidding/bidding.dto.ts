import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { Fen } from '../common/validation.js';

/** A bid (出价), as POST /api/lots/:id/bids takes it; the socket's `bid.place` adds the lot and the key. */
export class PlaceBidDto {
  @Fen({ min: 1, description: 'the bid in fen' }) amount!: number;
  @ApiPropertyOptional({ description: 'confirms a bid more than N increments above the current price' }) @IsOptional() @IsBoolean() confirmJump?: boolean;
}
