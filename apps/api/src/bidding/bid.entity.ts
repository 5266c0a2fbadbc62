import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { fenTransformer } from '../common/money.transformer.js';

/**
 * An accepted bid (出价) in the bid record (竞价记录): numbered by `seq` per lot (+1 per accepted bid, no
 * gaps), timed by the database clock when it entered the platform (OJA Art. 20 ¶2), shown with the bidder
 * code only (Art. 20 ¶3). Append-only.
 */
@Entity('bids')
@Index('bids_idempotency_key', ['enrolmentId', 'idempotencyKey'], { unique: true, where: '"idempotency_key" IS NOT NULL' })
export class Bid {
  @PrimaryColumn({ name: 'lot_id', type: 'uuid' }) lotId!: string;
  @PrimaryColumn({ type: 'integer' }) seq!: number;
  @Column({ name: 'enrolment_id', type: 'uuid' }) enrolmentId!: string;
  @Column({ name: 'bidder_code', type: 'text' }) bidderCode!: string;
  @Column({ type: 'bigint', transformer: fenTransformer }) amount!: number;
  @Column({ name: 'priority_rank', type: 'integer', nullable: true }) priorityRank!: number | null;
  @Column({ type: 'text' }) kind!: 'opening' | 'raise' | 'priority_match';
  @Column({ name: 'placed_at', type: 'timestamptz' }) placedAt!: Date;
  @Column({ name: 'ends_at_after', type: 'timestamptz' }) endsAtAfter!: Date;
  @Column({ type: 'boolean', default: false }) extended!: boolean;
  @Column({ name: 'idempotency_key', type: 'text', nullable: true }) idempotencyKey!: string | null;
}

/** The result (结果) of a closed lot, written once by the closer. */
@Entity('lot_results')
export class LotResult {
  @PrimaryColumn({ name: 'lot_id', type: 'uuid' }) lotId!: string;
  @Column({ type: 'text' }) outcome!: 'sold' | 'unsold';
  @Column({ type: 'bigint', nullable: true, transformer: fenTransformer }) price!: number | null;
  @Column({ name: 'winner_enrolment_id', type: 'uuid', nullable: true }) winnerEnrolmentId!: string | null;
  @Column({ name: 'bidder_code', type: 'text', nullable: true }) bidderCode!: string | null;
  @Column({ name: 'bid_count', type: 'integer' }) bidCount!: number;
  @Column({ name: 'ended_at', type: 'timestamptz' }) endedAt!: Date;
  @Column({ name: 'closed_at', type: 'timestamptz' }) closedAt!: Date;
}
