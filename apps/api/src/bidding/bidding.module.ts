import { Module } from '@nestjs/common';
import { EnrolmentModule } from '../enrolment/enrolment.module.js';
import { BiddingController } from './bidding.controller.js';
import { PlaceBidService } from './place-bid.service.js';

@Module({ imports: [EnrolmentModule], controllers: [BiddingController], providers: [PlaceBidService], exports: [PlaceBidService] })
export class BiddingModule {}
