import { Body, Controller, Get, Headers, Param, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { BidView, LotResultView, Page, PlaceBidResponse } from '@fapai/contracts';
import { CurrentUser, Public, Roles, type AuthUser } from '../common/auth.js';
import { CommonError } from '../common/app-error.js';
import { UuidPipe } from '../common/uuid.pipe.js';
import { QueryInt } from '../common/validation.js';
import { PlaceBidDto } from './bidding.dto.js';
import { BiddingError } from './bidding.errors.js';
import { PlaceBidService } from './place-bid.service.js';


export class BidRecordQuery {
  @QueryInt({ min: 1, max: 100000 }) page?: number;
  @QueryInt({ min: 1, max: 500 }) pageSize?: number;
  @QueryInt({ min: 0, max: 2_147_483_647, description: 'only bids with seq greater than this (resync after a gap)' }) afterSeq?: number;
}


const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,100}$/;

@ApiTags('bidding')
@Controller()
export class BiddingController {
  constructor(
    private readonly placeBid: PlaceBidService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** Places a bid; the same Idempotency-Key never places two bids. */
  @Post('lots/:id/bids')
  @Roles('bidder')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  place(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: PlaceBidDto, @Headers('idempotency-key') key?: string): Promise<PlaceBidResponse> {
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) throw CommonError.badInput('Idempotency-Key', 'matches', 'Idempotency-Key must be 1–100 characters of letters, digits and _.:-');
    return this.placeBid.place(user.id, id, { amount: dto.amount, confirmJump: dto.confirmJump, idempotencyKey: key });
  }

  /** The public bid record (竞价记录): codes only (OJA Art. 20 ¶3), newest first. */
  @Get('lots/:id/bids')
  @Public()
  async record(@Param('id', UuidPipe) id: string, @Query() query: BidRecordQuery): Promise<Page<BidView>> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 50;
    const lot = (await this.db.query(`SELECT seq FROM lots WHERE id = $1 AND status <> 'draft'`, [id])) as { seq: number }[];
    if (lot.length === 0) throw new BiddingError('LOT_NOT_FOUND', 'lot not found');
    const rows = (await this.db.query(
      `SELECT seq, amount, bidder_code, priority_rank, placed_at FROM bids WHERE lot_id = $1 AND seq > $2 ORDER BY seq DESC LIMIT $3 OFFSET $4`,
      [id, query.afterSeq ?? 0, pageSize, (page - 1) * pageSize],
    )) as { seq: number; amount: string; bidder_code: string; priority_rank: number | null; placed_at: Date }[];
    return {
      items: rows.map((r) => ({ seq: r.seq, amount: Number(r.amount), bidderCode: r.bidder_code, priority: r.priority_rank !== null, placedAt: r.placed_at.toISOString() })),
      total: Math.max(0, lot[0].seq - (query.afterSeq ?? 0)),
      page,
      pageSize,
    };
  }

  /** The result once the lot is closed. */
  @Get('lots/:id/result')
  @Public()
  async result(@Param('id', UuidPipe) id: string): Promise<LotResultView> {
    const rows = (await this.db.query(`SELECT lot_id, outcome, price, bidder_code, bid_count, ended_at, closed_at FROM lot_results WHERE lot_id = $1`, [id])) as {
      lot_id: string;
      outcome: 'sold' | 'unsold';
      price: string | null;
      bidder_code: string | null;
      bid_count: number;
      ended_at: Date;
      closed_at: Date;
    }[];
    if (rows.length === 0) {
      const lot = (await this.db.query(`SELECT status, status_reason FROM lots WHERE id = $1 AND status <> 'draft'`, [id])) as { status: string; status_reason: string | null }[];
      if (lot.length === 0) throw new BiddingError('LOT_NOT_FOUND', 'lot not found');
      // A withdrawn lot (撤回) never closes: "not closed yet" would promise a result that never comes.
      if (lot[0].status === 'withdrawn') throw new BiddingError('LOT_WITHDRAWN', 'the lot was withdrawn before its auction ended: it has no result', { status: 'withdrawn', reason: lot[0].status_reason, article: 'ASR Art. 17 via OJA Art. 37 ¶3' });
      throw new BiddingError('LOT_NOT_CLOSED', 'the lot has not closed yet: its result is published when it closes', { status: lot[0].status });
    }
    const r = rows[0];
    return { lotId: r.lot_id, outcome: r.outcome, price: r.price === null ? null : Number(r.price), bidderCode: r.bidder_code, bidCount: r.bid_count, endedAt: r.ended_at.toISOString(), closedAt: r.closed_at.toISOString() };
  }
}
