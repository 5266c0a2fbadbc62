import { Body, Controller, Get, Param, Patch, Post, Query, Res, UploadedFile } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IsIn } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { CurrentUser, Public, Roles, type AuthUser } from '../common/auth.js';
import { CommonError } from '../common/app-error.js';
import { OneFileUpload } from '../common/upload.js';
import { UuidPipe } from '../common/uuid.pipe.js';
import { CreateLotDto, DispositionDto, ReasonDto, ResumeDto, SearchLotsQuery, UpdateLotDto } from './lots.dto.js';
import { LotsService } from './lots.service.js';

const FILE_KINDS = ['photo', 'document'] as const;
export class UploadFileDto {
  @ApiProperty({ enum: FILE_KINDS }) @IsIn(FILE_KINDS, { message: 'kind must be photo or document' }) kind!: (typeof FILE_KINDS)[number];
}

@ApiTags('lots')
@Controller()
export class LotsController {
  constructor(private readonly lots: LotsService) {}

  @Post('lots')
  @Roles('court_clerk')
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateLotDto) {
    return this.lots.createDraft(user, dto);
  }

  @Patch('lots/:id')
  @Roles('court_clerk')
  update(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: UpdateLotDto) {
    return this.lots.updateDraft(user, id, dto);
  }

  /** Publishes the announcement; refused with every statutory violation (code, field, article). */
  @Post('lots/:id/publish')
  @Roles('court_clerk')
  publish(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string) {
    return this.lots.publish(user, id);
  }

  /** Suspension (中止), OJA Art. 28. */
  @Post('lots/:id/suspend')
  @Roles('court_clerk')
  suspend(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: ReasonDto) {
    return this.lots.changeStatus(user, id, { type: 'suspend', reason: dto.reason });
  }

  /** Postponement (暂缓), OJA Art. 28. */
  @Post('lots/:id/postpone')
  @Roles('court_clerk')
  postpone(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: ReasonDto) {
    return this.lots.changeStatus(user, id, { type: 'postpone', reason: dto.reason });
  }

  @Post('lots/:id/resume')
  @Roles('court_clerk')
  resume(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: ResumeDto) {
    const schedule = dto.startsAt && dto.endsAt ? { startsAt: Date.parse(dto.startsAt), endsAt: Date.parse(dto.endsAt) } : undefined;
    return this.lots.changeStatus(user, id, { type: 'resume', schedule, reason: dto.reason });
  }

  /** Withdrawal (撤回), with the reason published. */
  @Post('lots/:id/withdraw')
  @Roles('court_clerk')
  withdraw(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: ReasonDto) {
    return this.lots.changeStatus(user, id, { type: 'withdraw', reason: dto.reason });
  }

  @Post('lots/:id/files')
  @Roles('court_clerk')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file', 'kind'], properties: { file: { type: 'string', format: 'binary' }, kind: { type: 'string', enum: [...FILE_KINDS] } } } })
  @OneFileUpload()
  upload(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: UploadFileDto, @UploadedFile() file: { originalname: string; buffer: Buffer; size: number } | undefined) {
    if (!file) throw CommonError.badInput('file', 'required', 'file is required (multipart field "file")');
    return this.lots.addFile(user, id, dto.kind, file);
  }

  @Get('lots/:id/files/:fileId')
  @Public()
  async file(@CurrentUser() user: AuthUser | undefined, @Param('id', UuidPipe) id: string, @Param('fileId', UuidPipe) fileId: string, @Res() res: FastifyReply): Promise<void> {
    const { file, body } = await this.lots.readFile(id, fileId, user);
    res.header('Content-Type', file.contentType);
    res.header('X-Content-Type-Options', 'nosniff');
    res.header('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.name)}`);
    res.send(body);
  }

  /** The next round of the same property, as a linked draft (re-auction, second round or sale-off). */
  @Post('lots/:id/relist')
  @Roles('court_clerk')
  relist(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string) {
    return this.lots.relist(user, id);
  }

  /** After the last round fails: satisfaction of debt (以物抵债) or release of the seizure (解除查封). */
  @Post('lots/:id/disposition')
  @Roles('court_clerk')
  dispose(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: DispositionDto) {
    return this.lots.dispose(user, id, dto.path, dto.note);
  }

  /** Every round of the property (一拍 → 二拍 → 变卖). */
  @Get('lots/:id/rounds')
  @Public()
  rounds(@Param('id', UuidPipe) id: string) {
    return this.lots.rounds(id);
  }

  /** Public search and filter. */
  @Get('lots')
  @Public()
  search(@Query() query: SearchLotsQuery) {
    return this.lots.searchPublic(query);
  }

  /** Public fields only. */
  @Get('lots/:id')
  @Public()
  get(@Param('id', UuidPipe) id: string) {
    return this.lots.getPublic(id);
  }

  /** The clerk's own court's lots, drafts included. */
  @Get('court/lots')
  @Roles('court_clerk')
  listOwn(@CurrentUser() user: AuthUser) {
    return this.lots.listForCourt(user);
  }

  @Get('court/lots/:id')
  @Roles('court_clerk')
  getOwn(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string) {
    return this.lots.getForCourt(user, id);
  }
}
