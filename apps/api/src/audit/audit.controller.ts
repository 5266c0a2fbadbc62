import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/auth.js';
import { AuditService, type AuditVerification } from './audit.service.js';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Recomputes the hash chains (operator only). */
  @Get('verify')
  @Roles('admin')
  verify(): Promise<AuditVerification> {
    return this.audit.verify();
  }
}
