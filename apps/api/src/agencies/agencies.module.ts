import { Body, Controller, Get, Injectable, Module, Query } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { DataSource } from 'typeorm';
import { AppError } from '../common/app-error.js';
import { AuditService } from '../audit/audit.service.js';
import { CurrentUser, Public, Roles, type AuthUser } from '../common/auth.js';
import { isUniqueViolation } from '../common/db.js';
import { Post } from '@nestjs/common';
import { Agency, AGENCY_KINDS, type AgencyKind } from './agency.entity.js';

export class CreateAgencyDto {
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(100) name!: string;
  @ApiProperty({ enum: AGENCY_KINDS }) @IsIn(AGENCY_KINDS, { message: `kind must be one of ${AGENCY_KINDS.join(', ')}` }) kind!: AgencyKind;
  @ApiPropertyOptional({ type: [String], description: 'professional fields of the sub-list, e.g. real_estate, vehicles' })
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @MaxLength(40, { each: true }) fields?: string[];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(32) province?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(32) city?: string;
}

export class ListAgenciesQuery {
  @ApiPropertyOptional({ enum: AGENCY_KINDS }) @IsOptional() @IsIn(AGENCY_KINDS) kind?: AgencyKind;
}

class AgencyError extends AppError<'AGENCY_NAME_TAKEN'> {}

@Injectable()
export class AgenciesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(actorId: string, dto: CreateAgencyDto): Promise<Agency> {
    try {
      return await this.db.transaction(async (em) => {
        const agency = await em.save(em.create(Agency, { name: dto.name, kind: dto.kind, fields: dto.fields ?? [], province: dto.province ?? '', city: dto.city ?? '', active: true }));
        await this.audit.append(em, { stream: `agency:${agency.id}`, action: 'agency.created', actorId, data: { name: agency.name, kind: agency.kind } });
        return agency;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'agencies_name_key')) throw new AgencyError('AGENCY_NAME_TAKEN', 'conflict', 'an agency with this name already exists', { field: 'name' });
      throw error;
    }
  }

  list(kind?: AgencyKind): Promise<Agency[]> {
    return this.db.getRepository(Agency).find({ where: kind ? { kind } : {}, order: { name: 'ASC' } });
  }

  findActive(kind: AgencyKind): Promise<Agency[]> {
    return this.db.getRepository(Agency).find({ where: { kind, active: true }, order: { name: 'ASC' } });
  }

  findById(id: string): Promise<Agency | null> {
    return this.db.getRepository(Agency).findOneBy({ id });
  }
}

@ApiTags('agencies')
@Controller()
export class AgenciesController {
  constructor(private readonly agencies: AgenciesService) {}

  @Post('admin/agencies')
  @Roles('admin')
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateAgencyDto): Promise<Agency> {
    return this.agencies.create(user.id, dto);
  }

  /** The public lists of appraisal agencies and inquiry platforms (名单库). */
  @Get('agencies')
  @Public()
  list(@Query() query: ListAgenciesQuery): Promise<Agency[]> {
    return this.agencies.list(query.kind);
  }
}

@Module({ controllers: [AgenciesController], providers: [AgenciesService], exports: [AgenciesService] })
export class AgenciesModule {}
