import { Body, Controller, Get, Param, Post, Query, Res, UploadedFile } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { VALUATION_REFUSAL_CODES } from '@fapai/domain';
import type { FastifyReply } from 'fastify';
import { CommonError } from '../common/app-error.js';
import { OneFileUpload } from '../common/upload.js';
import { CurrentUser, Public, Roles, type AuthUser } from '../common/auth.js';
import { UuidPipe } from '../common/uuid.pipe.js';
import {
  AgencyRefDto,
  AgreedAgenciesDto,
  CorrectionDto,
  CreateValuationDto,
  DeadlineDto,
  DirectedInquiryDto,
  ExplanationDto,
  FeesQuery,
  GrantExtensionDto,
  JointRequestDto,
  ListValuationsQuery,
  LotteryCommitDto,
  LotteryDrawDto,
  NegotiationPriceDto,
  ObjectionDto,
  ObjectorResponseDto,
  OpenAppraisalDto,
  PostponeDto,
  PriceResultDto,
  ReasonDto,
  ReviewAppraisalDto,
  ReviewOnlineDto,
  RulingDto,
  ServeDto,
  StanceDto,
  SubmitReportDto,
  TechnicalReviewDto,
  WithdrawDto,
} from './valuation.dto.js';
import { valuationErrorKind } from './valuation.errors.js';
import { ValuationService } from './valuation.service.js';

const codesOf = (kind: 'conflict' | 'state'): string => VALUATION_REFUSAL_CODES.filter((c) => valuationErrorKind(c) === kind).join(', ');

/**
 * The reference-price procedure (财产处置参考价, RPR 2018). Each method is a sub-resource of
 * `/api/valuations/:id`. Refusals of the rules come back as 409 (a rule refuses) or 422 (not in this state)
 * with `code`, and `details.article` / `details.condition` naming the article and the failed condition.
 * A user who is neither the clerk of the court, a party of the case nor an appraiser of an assigned
 * agency gets 404 for the valuation (no existence leak).
 */
@ApiTags('valuation')
@ApiResponse({ status: 404, description: 'VALUATION_NOT_FOUND (also for a valuation you may not see), CASE_NOT_IN_COURT, REPORT_NOT_FOUND, FILE_NOT_FOUND, AGENCY_NOT_FOUND' })
@ApiResponse({ status: 409, description: `A rule of the RPR refuses the act; details.article and details.condition name it. Codes: ${codesOf('conflict')}` })
@ApiResponse({ status: 422, description: `The act does not fit the procedure's current state; details.article and details.condition name it. Codes: ${codesOf('state')}, NO_ACTIVE_PLATFORMS, NO_LOTTERY_CANDIDATES, LOTTERY_SEED_MISSING, NOTHING_TO_REPORT, NO_EXTENSION_REQUEST` })
@Controller()
export class ValuationController {
  constructor(private readonly valuations: ValuationService) {}

  @Post('valuations')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Start a procedure for one property of a case of your court, with the facts of RPR Art. 3' })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateValuationDto) {
    return this.valuations.create(user, dto);
  }

  @Get('valuations')
  @Roles('court_clerk', 'party', 'appraiser')
  @ApiOperation({ summary: 'Valuations you may see (your court, your cases, your organisation), optionally of one case' })
  list(@CurrentUser() user: AuthUser, @Query() query: ListValuationsQuery) {
    return this.valuations.list(user, query.caseId);
  }

  @Get('valuations/:id')
  @Roles('court_clerk', 'party', 'appraiser')
  @ApiOperation({ summary: 'Status, method, steps with deadlines and actors, reports, objections, reference price, validity, lottery' })
  get(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string) {
    return this.valuations.get(user, id);
  }

  @Get('valuations/:id/events')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'The applied events (replayable through applyValuationEvent)' })
  events(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string) {
    return this.valuations.events(user, id);
  }

  // --- stances and requests (RPR Arts. 4, 5 ¶2, 7 ¶2, 14)

  @Post('valuations/:id/stances')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Record that a party refuses to negotiate or cannot be found (RPR Art. 4)' })
  stance(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: StanceDto) {
    return this.valuations.recordStance(user, id, dto);
  }

  @Post('valuations/:id/joint-request')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Record the method both parties ask for (RPR Arts. 5 ¶2, 7 ¶2, 14)' })
  jointRequest(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: JointRequestDto) {
    return this.valuations.recordJointRequest(user, id, dto.method ?? null);
  }

  // --- negotiation (RPR Art. 4)

  @Post('valuations/:id/negotiation')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Open the negotiation with a deadline (RPR Art. 4)' })
  openNegotiation(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: DeadlineDto) {
    return this.valuations.openNegotiation(user, id, dto.deadline);
  }

  @Post('valuations/:id/negotiation/prices')
  @Roles('court_clerk', 'party')
  @ApiOperation({ summary: "A party's price: submitted by the party's own account, or recorded by the clerk naming the party" })
  negotiationPrice(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: NegotiationPriceDto) {
    return this.valuations.submitNegotiationPrice(user, id, dto);
  }

  @Post('valuations/:id/negotiation/fail')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Declare the negotiation failed' })
  failNegotiation(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: ReasonDto) {
    return this.valuations.failNegotiation(user, id, dto.reason);
  }

  // --- directed inquiry (RPR Arts. 5–6)

  @Post('valuations/:id/directed-inquiry')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Send a directed inquiry to a body (optionally a listed agency whose appraisers answer online)' })
  openDirected(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: DirectedInquiryDto) {
    return this.valuations.openDirectedInquiry(user, id, dto);
  }

  @Post('valuations/:id/directed-inquiry/result')
  @Roles('court_clerk', 'appraiser')
  @ApiOperation({ summary: 'The result of the directed inquiry (RPR Art. 6)' })
  directedResult(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: PriceResultDto) {
    return this.valuations.recordDirectedResult(user, id, dto);
  }

  @Post('valuations/:id/directed-inquiry/decline')
  @Roles('court_clerk', 'appraiser')
  @ApiOperation({ summary: 'The body declines or cannot answer (RPR Arts. 6–7)' })
  directedDecline(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: ReasonDto) {
    return this.valuations.declineDirectedInquiry(user, id, dto.reason);
  }

  // --- online inquiry (RPR Arts. 7–13)

  @Post('valuations/:id/online-inquiry')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Send the online inquiry at once to every active inquiry platform (RPR Art. 10)' })
  openOnline(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string) {
    return this.valuations.openOnlineInquiry(user, id);
  }

  @Post('valuations/:id/online-inquiry/review')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Review the reports; faulty ones are corrected or left out (RPR Art. 12)' })
  reviewOnline(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: ReviewOnlineDto) {
    return this.valuations.reviewOnlineReports(user, id, dto.faultyPlatformIds);
  }

  // --- appraisal (RPR Arts. 14–20)

  @Post('valuations/:id/appraisal')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Open the appraisal: parties agree on agencies within a period, else lottery (RPR Arts. 14, 16)' })
  openAppraisal(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: OpenAppraisalDto) {
    return this.valuations.openAppraisal(user, id, dto);
  }

  @Post('valuations/:id/appraisal/agreement')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'The three agencies the parties agreed on, in order (RPR Art. 16)' })
  agreement(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: AgreedAgenciesDto) {
    return this.valuations.recordAgreedAgencies(user, id, dto);
  }

  @Post('valuations/:id/appraisal/lottery/commit')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Publish the SHA-256 commitment of a server-generated seed and the sorted candidates (RPR Arts. 16, 34)' })
  commitLottery(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: LotteryCommitDto) {
    return this.valuations.commitLottery(user, id, dto);
  }

  @Post('valuations/:id/appraisal/lottery/draw')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Draw: reveal the seed, rank the agencies, commission the first' })
  drawLottery(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: LotteryDrawDto) {
    return this.valuations.drawLottery(user, id, dto.publicEntropy);
  }

  @Get('valuations/:id/lottery')
  @Public()
  @ApiOperation({ summary: 'The published lottery: commitment, candidates, seed (after the draw), result — recompute with verifyLottery' })
  lottery(@Param('id', UuidPipe) id: string) {
    return this.valuations.lottery(id);
  }

  @Post('valuations/:id/appraisal/extensions')
  @Roles('court_clerk')
  @ApiOperation({ summary: "Grant an agency's extension (≤ 2, ≤ 15 days each, asked ≥ 5 days before; RPR Art. 19 ¶2)" })
  grantExtension(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: GrantExtensionDto) {
    return this.valuations.grantAppraisalExtension(user, id, dto);
  }

  @Post('valuations/:id/appraisal/review')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Review the appraisal report; findings order an explanation or correction (RPR Art. 20)' })
  reviewAppraisal(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: ReviewAppraisalDto) {
    return this.valuations.reviewAppraisalReport(user, id, dto.findings);
  }

  @Post('valuations/:id/appraisal/materials-returned')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'A replaced agency returned the materials (RPR Art. 19 ¶3)' })
  materialsReturned(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: AgencyRefDto) {
    return this.valuations.recordMaterialsReturned(user, id, dto.agencyId);
  }

  // --- service and objections (RPR Arts. 21–26)

  @Post('valuations/:id/service')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Serve the reports on the parties; the 5-day objection windows start (RPR Arts. 21–22)' })
  serve(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: ServeDto) {
    return this.valuations.serveReports(user, id, dto);
  }

  @Post('valuations/:id/objections')
  @Roles('court_clerk', 'party')
  @ApiOperation({ summary: 'File an objection within 5 days of receiving the report, with grounds (RPR Arts. 22–24)' })
  objection(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: ObjectionDto) {
    return this.valuations.fileObjection(user, id, dto);
  }

  @Post('valuations/:id/objections/:objectionId/forward')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Forward an Art. 23 objection to the agency (within 3 days)' })
  forward(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Param('objectionId', UuidPipe) objectionId: string) {
    return this.valuations.forwardObjection(user, id, objectionId);
  }

  @Post('valuations/:id/objections/:objectionId/explanation')
  @Roles('appraiser', 'court_clerk')
  @ApiOperation({ summary: "The agency's written explanation (within 5 days, RPR Art. 23 ¶1)" })
  explanation(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Param('objectionId', UuidPipe) objectionId: string, @Body() dto: ExplanationDto) {
    return this.valuations.submitExplanation(user, id, objectionId, dto.note);
  }

  @Post('valuations/:id/objections/:objectionId/response')
  @Roles('party', 'court_clerk')
  @ApiOperation({ summary: 'Is the objector satisfied with the explanation? If not, a technical review follows' })
  response(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Param('objectionId', UuidPipe) objectionId: string, @Body() dto: ObjectorResponseDto) {
    return this.valuations.respondToExplanation(user, id, objectionId, dto.satisfied);
  }

  @Post('valuations/:id/objections/:objectionId/technical-review')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Conclusion of the professional technical review (专业技术评审)' })
  technicalReview(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Param('objectionId', UuidPipe) objectionId: string, @Body() dto: TechnicalReviewDto) {
    return this.valuations.recordTechnicalReview(user, id, objectionId, dto.reportStands);
  }

  @Post('valuations/:id/objections/:objectionId/ruling')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Rule on an objection (RPR Arts. 22 ¶2, 23, 26)' })
  ruling(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Param('objectionId', UuidPipe) objectionId: string, @Body() dto: RulingDto) {
    return this.valuations.ruleObjection(user, id, objectionId, dto.upheld);
  }

  // --- postponement, withdrawal, re-issue (RPR Arts. 11 ¶4, 19 ¶4, 27–29)

  @Post('valuations/:id/postpone')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Postpone (暂缓): every running deadline is frozen (RPR Art. 28)' })
  postpone(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: PostponeDto) {
    return this.valuations.postpone(user, id, dto.reason);
  }

  @Post('valuations/:id/resume')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Resume: deadlines move by the length of the postponement' })
  resume(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string) {
    return this.valuations.resume(user, id);
  }

  @Post('valuations/:id/withdraw')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Withdraw the procedure (RPR Art. 29)' })
  withdraw(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: WithdrawDto) {
    return this.valuations.withdraw(user, id, dto.reason);
  }

  @Post('valuations/:id/reissue')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Order the re-issue of an expired online-inquiry or appraisal result (RPR Arts. 11 ¶4, 19 ¶4, 27)' })
  reissue(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string) {
    return this.valuations.orderReissue(user, id);
  }

  @Get('valuations/:id/fees')
  @Roles('court_clerk')
  @ApiOperation({ summary: 'Who is paid: the online-inquiry platform closest to the sale price (RPR Art. 31), the appraisal fee basis (Art. 32)' })
  fees(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Query() query: FeesQuery) {
    return this.valuations.fees(user, id, query.salePrice);
  }

  // --- providers: appraisers of an assigned agency or inquiry platform

  @Get('appraiser/queue')
  @Roles('appraiser')
  @ApiOperation({ summary: "Your organisation's open work with deadlines" })
  queue(@CurrentUser() user: AuthUser) {
    return this.valuations.queue(user);
  }

  @Post('valuations/:id/reports')
  @Roles('appraiser')
  @ApiOperation({ summary: 'Submit the report your organisation owes (online inquiry, appraisal, directed inquiry or re-issue); validity ≤ 1 year' })
  report(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: SubmitReportDto) {
    return this.valuations.submitReport(user, id, dto);
  }

  @Post('valuations/:id/corrections')
  @Roles('appraiser')
  @ApiOperation({ summary: 'Submit a correction or written explanation ordered by the court (RPR Arts. 12, 20, 23, 26)' })
  correction(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: CorrectionDto) {
    return this.valuations.submitCorrection(user, id, dto);
  }

  @Post('valuations/:id/extension-requests')
  @Roles('appraiser')
  @ApiOperation({ summary: 'Ask for more time (online: RPR Art. 11 ¶2; appraisal: Art. 19 ¶2, granted by the court)' })
  extensionRequest(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string) {
    return this.valuations.requestExtension(user, id);
  }

  @Post('valuations/:id/reports/:reportId/files')
  @Roles('appraiser')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @OneFileUpload()
  @ApiOperation({ summary: 'Attach a file (PDF, JPEG, PNG, WebP — checked by content) to your report' })
  upload(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Param('reportId', UuidPipe) reportId: string, @UploadedFile() file: { originalname: string; buffer: Buffer; size: number } | undefined) {
    if (!file) throw CommonError.badInput('file', 'required', 'file is required (multipart field "file")');
    return this.valuations.addReportFile(user, id, reportId, file);
  }

  @Get('valuations/:id/reports/:reportId/files/:fileId')
  @Roles('court_clerk', 'party', 'appraiser')
  async file(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Param('reportId', UuidPipe) reportId: string, @Param('fileId', UuidPipe) fileId: string, @Res() res: FastifyReply): Promise<void> {
    const { file, body } = await this.valuations.readReportFile(user, id, reportId, fileId);
    res.header('Content-Type', file.contentType);
    res.header('X-Content-Type-Options', 'nosniff');
    res.header('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.name)}`);
    res.send(body);
  }
}
