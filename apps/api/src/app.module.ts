import { Module, type DynamicModule } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { rulesProfile } from '@fapai/domain';
import { AccountsModule } from './accounts/accounts.module.js';
import { AgenciesModule } from './agencies/agencies.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AccessGuard } from './common/auth.js';
import { HttpErrorFilter } from './common/http-exception.filter.js';
import { APP_CONFIG, RULES, type AppConfig } from './config/env.js';
import { CourtsModule } from './courts/courts.module.js';
import { dataSourceOptions } from './database/data-source.js';
import { HealthController } from './health/health.controller.js';
import { JobsModule } from './jobs/jobs.module.js';
import { LotsModule } from './lots/lots.module.js';
import { BiddingModule } from './bidding/bidding.module.js';
import { ClosingModule } from './closing/closing.module.js';
import { EnrolmentModule } from './enrolment/enrolment.module.js';
import { PaymentsModule } from './payments/payments.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { SettlementModule } from './settlement/settlement.module.js';
import { ValuationModule } from './valuation/valuation.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig & { databaseUrl: string }): DynamicModule {
    const configModule: DynamicModule = {
      module: class ConfigModule {},
      global: true,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: RULES, useValue: rulesProfile(config.rulesProfile) },
      ],
      exports: [APP_CONFIG, RULES],
    };
    return {
      module: AppModule,
      imports: [
        configModule,
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl, config.dbPoolSize)),
        JwtModule.register({ global: true, secret: createSecretKey(Buffer.from(config.jwtSecret)), signOptions: { expiresIn: config.jwtTtlSeconds, algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } }),
        EventEmitterModule.forRoot(),
        ObservabilityModule,
        JobsModule,
        AuditModule,
        AccountsModule,
        CourtsModule,
        AgenciesModule,
        LotsModule,
        PaymentsModule,
        EnrolmentModule,
        BiddingModule,
        ClosingModule,
        RealtimeModule,
        NotificationsModule,
        SettlementModule,
        ValuationModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
