import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { BiddingModule } from '../bidding/bidding.module.js';
import { LotsModule } from '../lots/lots.module.js';
import { AuctionsGateway } from './auctions.gateway.js';
import { AuctionsRelay } from './auctions.relay.js';

@Module({ imports: [AccountsModule, LotsModule, BiddingModule], providers: [AuctionsGateway, AuctionsRelay] })
export class RealtimeModule {}
