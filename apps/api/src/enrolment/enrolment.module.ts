import { Module } from '@nestjs/common';
import { PaymentsModule } from '../payments/payments.module.js';
import { EnrolmentController } from './enrolment.controller.js';
import { EnrolmentService } from './enrolment.service.js';

@Module({ imports: [PaymentsModule], controllers: [EnrolmentController], providers: [EnrolmentService], exports: [EnrolmentService] })
export class EnrolmentModule {}
