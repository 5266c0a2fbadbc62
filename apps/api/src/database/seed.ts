/**
 * Demo data (演示数据), written on the first start of a development platform (SEED_DEMO, default on outside
 * production) and by `npm run db:seed`: a court and its clerk, appraisal agencies and inquiry platforms
 * with their users, bidders with verified identity, a case and lots in every state. Idempotent: it does
 * nothing when the demo court exists.
 */
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { createHmac } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { maskResidentId, residentIdCheckDigit, type RulesProfile } from '@fapai/domain';
import { hashPassword } from '../accounts/password.js';
import { APP_CONFIG, RULES, type AppConfig } from '../config/env.js';

export const DEMO_PASSWORD = 'fapai-demo-2026';
export const DEMO_COURT = '北京市朝阳区人民法院（演示）';

export async function seedDemoData(app: INestApplication): Promise<{ role: string; email: string; password: string }[]> {
  const db = app.get<DataSource>(getDataSourceToken());
  const config = app.get<AppConfig>(APP_CONFIG);
  const rules = app.get<RulesProfile>(RULES);
  const logins = [
    { role: 'court_clerk', email: 'clerk@demo.fapai.local', password: DEMO_PASSWORD },
    { role: 'appraiser', email: 'appraiser@demo.fapai.local', password: DEMO_PASSWORD },
    { role: 'appraiser', email: 'inquiry1@demo.fapai.local', password: DEMO_PASSWORD },
    { role: 'bidder', email: 'bidder1@demo.fapai.local', password: DEMO_PASSWORD },
    { role: 'bidder', email: 'bidder2@demo.fapai.local', password: DEMO_PASSWORD },
  ];
  const exists = (await db.query('SELECT 1 FROM courts WHERE name = $1', [DEMO_COURT])) as unknown[];
  if (exists.length > 0) return logins;

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction(async (em) => {
    const [court] = (await em.query(`INSERT INTO courts (name, province, city, address, contact_phone) VALUES ($1, '北京市', '北京市', '朝阳区演示路1号', '010-00000000') RETURNING id`, [DEMO_COURT])) as { id: string }[];
    const agency = async (name: string, kind: string, fields: string[]): Promise<string> =>
      ((await em.query(`INSERT INTO agencies (name, kind, fields, province, city) VALUES ($1, $2, $3, '北京市', '北京市') RETURNING id`, [name, kind, fields])) as { id: string }[])[0].id;
    const appraisal = [await agency('北京中诚房地产评估有限公司（演示）', 'appraisal_agency', ['real_estate']), await agency('北京华信资产评估有限公司（演示）', 'appraisal_agency', ['real_estate', 'vehicles']), await agency('北京正衡评估事务所（演示）', 'appraisal_agency', ['real_estate']), await agency('北京国衡资产评估有限公司（演示）', 'appraisal_agency', ['real_estate'])];
    const platforms = [await agency('询价平台甲（演示）', 'inquiry_platform', []), await agency('询价平台乙（演示）', 'inquiry_platform', []), await agency('询价平台丙（演示）', 'inquiry_platform', [])];

    const user = async (email: string, name: string, roles: string[], courtId: string | null, agencyId: string | null): Promise<string> =>
      ((await em.query(`INSERT INTO users (email, password_hash, display_name, roles, court_id, agency_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, [email, passwordHash, name, roles, courtId, agencyId])) as { id: string }[])[0].id;
    const clerk = await user('clerk@demo.fapai.local', '王书记员', ['court_clerk'], court.id, null);
    await user('appraiser@demo.fapai.local', '李评估师', ['appraiser'], null, appraisal[0]);
    await user('inquiry1@demo.fapai.local', '询价员甲', ['appraiser'], null, platforms[0]);
    await user('inquiry2@demo.fapai.local', '询价员乙', ['appraiser'], null, platforms[1]);
    await user('inquiry3@demo.fapai.local', '询价员丙', ['appraiser'], null, platforms[2]);
    const bidders: [string, string, string][] = [
      ['bidder1@demo.fapai.local', '张三', '11010519800101123'],
      ['bidder2@demo.fapai.local', '李四', '31010419851212456'],
      ['bidder3@demo.fapai.local', '王五', '44030619900606789'],
    ];
    const bidderIds: string[] = [];
    for (const [email, realName, first17] of bidders) {
      const idNumber = first17 + residentIdCheckDigit(first17);
      const id = await user(email, realName, ['bidder'], null, null);
      bidderIds.push(id);
      await em.query(`UPDATE users SET real_name = $2, phone = $3, id_number_hash = $4, id_number_masked = $5, identity_verified_at = now() WHERE id = $1`, [
        id,
        realName,
        '13800000000',
        createHmac('sha256', config.identityHashKey).update(idNumber).digest('hex'),
        maskResidentId(idNumber),
      ]);
    }

    const [kase] = (await em.query(
      `INSERT INTO cases (court_id, case_number, title, enforcement_basis, applicant_claim, created_by) VALUES ($1, '(2026)京0105执1001号', '某银行与某公司金融借款合同纠纷执行案', '(2025)京0105民初888号民事判决书', 50000000, $2) RETURNING id`,
      [court.id, clerk],
    )) as { id: string }[];
    await em.query(`INSERT INTO case_parties (case_id, role, name, contact) VALUES ($1, 'applicant', '某银行股份有限公司北京分行', '010-11111111'), ($1, 'respondent', '某贸易有限公司', '010-22222222')`, [kase.id]);

    const a = rules.auction;
    const now = Date.now();
    const disclosures = {
      announcementText: '本院将于网络司法拍卖平台公开拍卖下列财产，详见拍卖公告。',
      enforcementTitle: '(2025)京0105民初888号民事判决书',
      valuationBasis: '参考价依据网络询价结果确定（演示）。',
      biddingRules: '竞价周期24小时，出价在结束前5分钟内的，自动延时5分钟。',
      titleAndEncumbrances: '产权清晰，现由被执行人占用，不负责腾退（演示）。',
      priorityHolders: '无',
      notificationStatement: '已于公告前依法通知当事人。',
      paymentInstructions: '竞买人须在线缴纳保证金。',
      taxesAndFees: '交易税费按照法律规定由各自承担。',
      courtContact: '北京市朝阳区人民法院执行局，010-00000000',
      specialWarnings: '拍卖财产以实物现状为准，竞买人应自行了解；悔拍保证金不予退还。',
    };
    const lot = async (title: string, status: string, propertyType: string, ref: number, startsAt: number, endsAt: number, extra: Record<string, unknown> = {}): Promise<string> => {
      const start = Math.ceil((ref * 7000) / 10000 / 100) * 100;
      const inserted = (await em.query(
        `INSERT INTO lots (court_id, case_id, status, status_reason, round, property_type, title, description, province, city, address, disclosures, notices, reference_price, reference_price_basis,
                           starting_price, increment, deposit, announce_at, starts_at, ends_at, scheduled_ends_at, balance_due_days, published_at, created_by, paused_remaining_ms, paused_from)
         VALUES ($1, $2, $3, $4, 'first', $5, $6, $7, '北京市', '北京市', $8, $9, $10, $11, '网络询价（演示）', $12, $13, $14, $15, $16, $17, $17, $18, $19, $20, $21, $22) RETURNING id`,
        [
          court.id,
          kase.id,
          status,
          extra['reason'] ?? null,
          propertyType,
          title,
          `${title}（演示数据）`,
          '朝阳区演示路88号',
          JSON.stringify(disclosures),
          JSON.stringify([{ party: '当事人', role: 'party', kind: 'notified', at: new Date(startsAt - a.announceLeadMs[propertyType as 'movable'] - a.notifyPartiesBeforeAnnouncementMs - 86400_000).toISOString() }]),
          ref,
          start,
          Math.max(100, Math.round(start / 200 / 100) * 100),
          Math.round(start / 10 / 100) * 100,
          status === 'draft' ? null : new Date(startsAt - a.announceLeadMs[propertyType as 'movable']),
          new Date(startsAt),
          new Date(endsAt),
          config.rulesProfile === 'sandbox' ? 1 : rules.auction.defaultBalanceDueDays,
          status === 'draft' ? null : new Date(startsAt - a.announceLeadMs[propertyType as 'movable']),
          clerk,
          extra['pausedRemainingMs'] ?? null,
          extra['pausedFrom'] ?? null,
        ],
      )) as { id: string }[];
      return inserted[0].id;
    };
    const day = 86400_000;
    const span = Math.max(a.minBiddingMs, config.rulesProfile === 'sandbox' ? 10 * 60_000 : day);
    await lot('朝阳区某小区住宅一套（草稿）', 'draft', 'real_estate', 500_000_000, now + 40 * day, now + 41 * day);
    await lot('朝阳区某写字楼办公用房', 'announced', 'real_estate', 1_200_000_000, now + 10 * day, now + 11 * day);
    await lot('奔驰E300L轿车一辆', 'announced', 'movable', 35_000_000, now - 60_000, now - 60_000 + span);
    await lot('某公司持有的股权（30%）', 'announced', 'other_right', 80_000_000, now - 3600_000, now - 3600_000 + span + 3600_000);
    await lot('海淀区某商铺', 'suspended', 'real_estate', 300_000_000, now - 3600_000, now + span, { reason: '案外人提出异议，依法中止拍卖（OJA 第36条）', pausedRemainingMs: span, pausedFrom: 'live' });
    await lot('通州区某仓库', 'withdrawn', 'real_estate', 90_000_000, now + 5 * day, now + 6 * day, { reason: '被执行人已全部履行（ASR 第17条）' });
    await lot('丰台区某厂房', 'postponed', 'real_estate', 200_000_000, now + 20 * day, now + 21 * day, { reason: '当事人申请暂缓执行（OJA 第28条）', pausedFrom: 'announced' });
    // An ended, unsold first round (流拍), ready to be relisted as a second round.
    const unsold = await lot('西城区某公寓（一拍流拍）', 'unsold', 'real_estate', 400_000_000, now - 3 * day, now - 2 * day);
    await em.query(`UPDATE lots SET closed_at = ends_at WHERE id = $1`, [unsold]);
    await em.query(`INSERT INTO lot_results (lot_id, outcome, price, winner_enrolment_id, bidder_code, bid_count, ended_at, closed_at) SELECT id, 'unsold', NULL, NULL, NULL, 0, ends_at, ends_at FROM lots WHERE id = $1`, [unsold]);
    // A sold lot: two enrolled bidders, two bids, the loser's deposit released and the winner's applied;
    // the settlement (confirmation, balance due) is created by the settlement sweep at start.
    const sold = await lot('宝马X5越野车一辆（已成交）', 'sold', 'movable', 50_000_000, now - 2 * day, now - day);
    const soldLot = ((await em.query(`SELECT starting_price, increment, deposit, ends_at FROM lots WHERE id = $1`, [sold])) as { starting_price: string; increment: string; deposit: string; ends_at: Date }[])[0];
    const codes = ['K7Q2XM', 'R4T9PB'];
    const enrolmentIds: string[] = [];
    for (const [i, code] of codes.entries()) {
      const [e] = (await em.query(`INSERT INTO enrolments (lot_id, user_id, status, bidder_code, deposit_due, activated_at) VALUES ($1, $2, 'active', $3, $4, now() - interval '3 days') RETURNING id`, [sold, bidderIds[i], code, soldLot.deposit])) as { id: string }[];
      enrolmentIds.push(e.id);
      const final = i === 0 ? 'released' : 'applied';
      const [d] = (await em.query(`INSERT INTO deposits (enrolment_id, lot_id, amount, mode, status, secured_at) VALUES ($1, $2, $3, 'charge', $4, now() - interval '3 days') RETURNING id`, [e.id, sold, soldLot.deposit, final])) as { id: string }[];
      await em.query(`INSERT INTO deposit_movements (deposit_id, lot_id, kind, amount, idempotency_key, status, done_at) VALUES ($1, $2, 'secure', $3, $4, 'done', now()), ($1, $2, $5, $3, $6, 'done', now())`, [
        d.id,
        sold,
        soldLot.deposit,
        `deposit-secure:${e.id}:1`,
        final === 'released' ? 'release' : 'apply',
        `deposit-${final === 'released' ? 'release' : 'apply'}:${e.id}`,
      ]);
    }
    const price1 = Number(soldLot.starting_price);
    const price2 = price1 + Number(soldLot.increment);
    const end = soldLot.ends_at;
    await em.query(
      `INSERT INTO bids (lot_id, seq, enrolment_id, bidder_code, amount, priority_rank, kind, placed_at, ends_at_after, extended) VALUES
       ($1, 1, $2, $3, $4, NULL, 'opening', $6::timestamptz - interval '2 hours', $6, false), ($1, 2, $5, $7, $8, NULL, 'raise', $6::timestamptz - interval '1 hour', $6, false)`,
      [sold, enrolmentIds[0], codes[0], price1, enrolmentIds[1], end, codes[1], price2],
    );
    await em.query(
      `UPDATE lots SET current_price = $2, leader_enrolment_id = $3, leader_code = $4, leader_placed_at = ends_at - interval '1 hour', bid_count = 2, seq = 2, enrolled_count = 2, closed_at = ends_at WHERE id = $1`,
      [sold, price2, enrolmentIds[1], codes[1]],
    );
    await em.query(`INSERT INTO lot_results (lot_id, outcome, price, winner_enrolment_id, bidder_code, bid_count, ended_at, closed_at) VALUES ($1, 'sold', $2, $3, $4, 2, $5, $5)`, [sold, price2, enrolmentIds[1], codes[1], end]);
  });
  return logins;
}
